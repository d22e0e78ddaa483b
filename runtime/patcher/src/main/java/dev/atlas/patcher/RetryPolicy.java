package dev.atlas.patcher;

import java.time.Duration;

/**
 * How often and how patiently an HTTP call is retried: {@code maxAttempts} in all, waiting {@code firstDelay}
 * before the second attempt and doubling up to {@code maxDelay}. The sleeper is injectable so that tests retry
 * without waiting.
 */
public record RetryPolicy(int maxAttempts, Duration firstDelay, Duration maxDelay, Sleeper sleeper) {

    /** Waits between attempts. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** Five attempts over at most 1 + 2 + 4 + 8 = 15 s of waiting: well inside any job deadline. */
    public static RetryPolicy standard() {
        return new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(8), duration -> Thread.sleep(duration.toMillis()));
    }

    /** Retries without waiting; for tests. */
    public static RetryPolicy immediate(int maxAttempts) {
        return new RetryPolicy(maxAttempts, Duration.ZERO, Duration.ZERO, duration -> { });
    }

    /** The wait before attempt {@code attempt} (2 for the first retry). */
    Duration delayBefore(int attempt) {
        Duration delay = firstDelay.multipliedBy(1L << Math.min(attempt - 2, 20));
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
