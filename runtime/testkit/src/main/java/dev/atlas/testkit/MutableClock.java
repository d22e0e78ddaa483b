package dev.atlas.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock the test moves by hand, so expiry, staleness and back-off are tested without waiting. Safe to read from
 * other threads: {@link #advance} publishes the new instant.
 */
public final class MutableClock extends Clock {
    private volatile Instant now;

    /** A clock that reads {@code start} until it is advanced. */
    public MutableClock(Instant start) {
        this.now = start;
    }

    /** Moves the clock forward (or back, for a negative {@code by}). */
    public void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
