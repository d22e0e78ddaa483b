package dev.atlas.core.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When a failed delivery is tried again: exponential backoff from one second, doubling, capped at
 * {@code webhooks.maxBackoff}, with jitter (each delay is drawn between half and all of its step, so the first
 * retry comes within 2 s); no more attempts after {@code maxAttempts} or once the webhook is older than
 * {@code maxAge}. Which answers are worth a retry: connection errors, timeouts, 408, 429, 5xx and 3xx (Atlas never
 * follows a redirect). Any other 4xx is final.
 */
public final class RetryPolicy {
    private static final Duration FIRST = Duration.ofSeconds(1);

    private final int maxAttempts;
    private final Duration maxAge;
    private final Duration maxBackoff;
    private final DoubleSupplier random;

    public RetryPolicy(int maxAttempts, Duration maxAge, Duration maxBackoff) {
        this(maxAttempts, maxAge, maxBackoff, () -> ThreadLocalRandom.current().nextDouble());
    }

    RetryPolicy(int maxAttempts, Duration maxAge, Duration maxBackoff, DoubleSupplier random) {
        this.maxAttempts = maxAttempts;
        this.maxAge = maxAge;
        this.maxBackoff = maxBackoff;
        this.random = random;
    }

    /** Whether an HTTP status from the cloud is worth another attempt. */
    public static boolean retryable(int status) {
        return status == 408 || status == 429 || status >= 500 || (status >= 300 && status < 400);
    }

    /** The delay before attempt {@code failedAttempts + 1}, after {@code failedAttempts} failures. */
    public Duration backoff(int failedAttempts) {
        int exponent = Math.min(Math.max(failedAttempts - 1, 0), 30);
        Duration step = FIRST.multipliedBy(1L << exponent);
        if (step.compareTo(maxBackoff) > 0) {
            step = maxBackoff;
        }
        long millis = step.toMillis();
        return Duration.ofMillis(millis / 2 + (long) (random.getAsDouble() * (millis - millis / 2)));
    }

    /**
     * Whether there is another attempt after {@code attemptsMade} attempts of a webhook received at
     * {@code receivedAt}, at time {@code next}.
     */
    public boolean anotherAttempt(int attemptsMade, Instant receivedAt, Instant next) {
        return attemptsMade < maxAttempts && !next.isAfter(receivedAt.plus(maxAge));
    }

    public Duration maxAge() {
        return maxAge;
    }
}
