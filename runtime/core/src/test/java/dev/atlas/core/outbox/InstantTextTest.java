package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The spool's instants are written and read exactly as the JDK writes and reads them, only faster. */
class InstantTextTest {
    private static final long LAST_SECOND_OF_9999 = 253_402_300_799L;

    @Test
    void writesAndReadsWhatTheJdkWritesAndReadsForInstantsAcrossTheYears() {
        SplittableRandom random = new SplittableRandom(20261206);
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(-1_000_000_000_000L, LAST_SECOND_OF_9999 + 1_000_000_000L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            assertSameAsJdk(Instant.ofEpochSecond(second, nanos));
        }
    }

    @Test
    void consecutiveInstantsOfOneSecondAndTheNextKeepTheJdksText() {
        Instant start = Instant.parse("2026-12-06T21:47:59.998Z");
        for (int micros = 0; micros < 5_000; micros += 7) {
            assertSameAsJdk(start.plusNanos(micros * 1_000L));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1970-01-01T00:00:00Z", "2026-12-06T21:48:00Z", "2026-12-06T00:00:00.000000001Z",
        "2026-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.100Z", "2024-02-29T12:00:00.000010Z"})
    void edgeInstantsAreWrittenAndReadAsTheJdkDoes(String text) {
        assertSameAsJdk(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-06T21:47:50.1Z", "2026-12-06T21:47:50.12345Z", "2026-12-06t21:47:50z",
        "2026-12-06T21:47:50.Z"})
    void otherShapesTheJdkAcceptsAreReadAsTheJdkReadsThem(String text) {
        InstantText.parse("2026-12-06T21:47:50.5Z"); // the same second is the one kept
        assertThat(InstantText.parse(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-06T21:47:50.12aZ", "2026-12-06T21:47:50.123", "2026-12-06T21:47:50.123456789012Z",
        "2026-12-06T21:47:50.123+01:00x", "", "2026-12-06T21:47:50.1234567890Z", "not a time"})
    void malformedTextIsRefusedAsTheJdkRefusesIt(String text) {
        InstantText.parse("2026-12-06T21:47:50.5Z");
        assertThatThrownBy(() -> Instant.parse(text)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> InstantText.parse(text)).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void deliveryReadingRecordsBehindABacklogKeepsItsSecondWhileAcceptancesWriteAnotherOne() {
        Instant accepting = Instant.parse("2026-12-07T01:10:00.250Z");
        Instant backlog = Instant.parse("2026-12-07T00:58:13Z");
        for (int i = 0; i < 100; i++) {
            Instant written = accepting.plusMillis(i);
            Instant read = backlog.plusNanos(i * 1_000_000L);
            assertThat(InstantText.format(written)).isEqualTo(written.toString());
            assertThat(InstantText.parse(read.toString())).isEqualTo(read);
            // neither call replaced the other's second: each is read or written from what is kept
            assertThat(InstantText.keptSeconds()).containsExactly(accepting.getEpochSecond(), backlog.getEpochSecond());
        }
    }

    private static void assertSameAsJdk(Instant instant) {
        String text = InstantText.format(instant);
        assertThat(text).isEqualTo(instant.toString());
        assertThat(InstantText.parse(text)).isEqualTo(instant);
        assertThat(InstantText.parse(text)).isEqualTo(Instant.parse(text));
    }
}
