package dev.atlas.api;

import java.time.Duration;

/**
 * Counters and timers exposed on {@code /metrics}. Tags are given as name/value pairs:
 * {@code count("webhooks_received", "vcs", "github")}. Calls never block and never fail.
 */
public interface Metrics {

    /** Adds one to the counter {@code name} with the given tags. */
    void count(String name, String... tags);

    /** Records one duration in the timer {@code name} with the given tags. */
    void time(String name, Duration duration, String... tags);

    /** A metrics sink that records nothing, for tests and tools. */
    static Metrics none() {
        return new Metrics() {
            @Override
            public void count(String name, String... tags) {
            }

            @Override
            public void time(String name, Duration duration, String... tags) {
            }
        };
    }
}
