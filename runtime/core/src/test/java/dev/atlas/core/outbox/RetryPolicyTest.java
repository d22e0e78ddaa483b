package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy lowest = new RetryPolicy(5, Duration.ofHours(1), Duration.ofMinutes(5), () -> 0.0);
    private final RetryPolicy highest = new RetryPolicy(5, Duration.ofHours(1), Duration.ofMinutes(5), () -> 0.999999);

    @Test
    void retriesTheFirstFailureWithinTwoSeconds() {
        assertThat(highest.backoff(1)).isLessThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(lowest.backoff(1)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    @ParameterizedTest
    @CsvSource({"1, 1000", "2, 2000", "3, 4000", "4, 8000", "9, 256000", "10, 300000", "40, 300000"})
    void doublesEachStepUpToTheCap(int failures, long stepMillis) {
        assertThat(highest.backoff(failures).toMillis()).isBetween(stepMillis - 1, stepMillis);
        assertThat(lowest.backoff(failures).toMillis()).isEqualTo(stepMillis / 2);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504, 301, 307})
    void retriesTransientAnswers(int status) {
        assertThat(RetryPolicy.retryable(status)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 410, 413, 422})
    void givesUpOnOtherClientErrors(int status) {
        assertThat(RetryPolicy.retryable(status)).isFalse();
    }

    @Test
    void stopsAfterMaxAttemptsOrMaxAge() {
        Instant received = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(lowest.anotherAttempt(4, received, received.plusSeconds(60))).isTrue();
        assertThat(lowest.anotherAttempt(5, received, received.plusSeconds(60))).isFalse();
        assertThat(lowest.anotherAttempt(1, received, received.plus(Duration.ofHours(2)))).isFalse();
    }
}
