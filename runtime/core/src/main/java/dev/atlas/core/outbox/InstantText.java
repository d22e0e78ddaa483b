package dev.atlas.core.outbox;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * An {@link Instant} as the text {@link Instant#toString()} writes and {@link Instant#parse} reads back
 * ({@code 2026-12-06T21:47:50.123Z}), for the spool's record of every webhook: written at each acceptance and read
 * back at each attempt. The JDK's formatter and parser build a date-time context per call; consecutive webhooks
 * share their second, so the date and time of day of the last second written, and apart from it of the last second
 * read, are kept and only the fraction is written or read per call (apart: behind a backlog, delivery reads records
 * accepted minutes before the second acceptances write, and one shared second would be replaced at every call).
 * The text is exactly the JDK's (the fraction in groups of three digits, none when zero); anything outside years
 * 1970-9999, or any other shape, goes through the JDK, which also gives its errors.
 */
final class InstantText {
    /** Years 1970 to 9999: four-digit years, as the JDK writes them without a sign. */
    private static final long LAST_SECOND = 253_402_300_799L;
    private static final int PREFIX = "yyyy-mm-ddThh:mm:ss".length();

    /** A second, and its text up to the seconds. */
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second lastWritten = new Second(0, "1970-01-01T00:00:00");
    private static volatile Second lastRead = lastWritten;

    private InstantText() {
    }

    /** {@code instant.toString()}. */
    static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds > LAST_SECOND) {
            return instant.toString();
        }
        Second second = lastWritten;
        if (second.epochSecond() != seconds) {
            second = new Second(seconds, prefix(seconds));
            lastWritten = second;
        }
        int nanos = instant.getNano();
        StringBuilder text = new StringBuilder(PREFIX + 11).append(second.text());
        if (nanos != 0) {
            int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
            int fraction = digits == 3 ? nanos / 1_000_000 : digits == 6 ? nanos / 1_000 : nanos;
            text.append('.');
            String value = Integer.toString(fraction);
            text.append("000000000", 0, digits - value.length()).append(value);
        }
        return text.append('Z').toString();
    }

    /** {@code Instant.parse(text)}. */
    static Instant parse(String text) {
        Second second = lastRead;
        int length = text.length();
        int digits = length - PREFIX - 2;
        if (length > PREFIX && text.charAt(length - 1) == 'Z' && text.startsWith(second.text())
            && (length == PREFIX + 1 || text.charAt(PREFIX) == '.' && (digits == 3 || digits == 6 || digits == 9))) {
            int nanos = 0;
            for (int i = PREFIX + 1; i < length - 1; i++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    return Instant.parse(text);
                }
                nanos = nanos * 10 + (c - '0');
            }
            for (int d = digits; length > PREFIX + 1 && d < 9; d++) {
                nanos *= 10;
            }
            return Instant.ofEpochSecond(second.epochSecond(), nanos);
        }
        Instant parsed = Instant.parse(text);
        long seconds = parsed.getEpochSecond();
        if (seconds >= 0 && seconds <= LAST_SECOND) {
            String prefix = prefix(seconds);
            if (text.startsWith(prefix)) {
                lastRead = new Second(seconds, prefix);
            }
        }
        return parsed;
    }

    /** The epoch seconds of the last second written and of the last second read (tests). */
    static long[] keptSeconds() {
        return new long[] {lastWritten.epochSecond(), lastRead.epochSecond()};
    }

    /** {@code yyyy-MM-ddTHH:mm:ss} of a second in years 1970-9999. */
    private static String prefix(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        StringBuilder text = new StringBuilder(PREFIX).append(t.getYear());
        two(text.append('-'), t.getMonthValue());
        two(text.append('-'), t.getDayOfMonth());
        two(text.append('T'), t.getHour());
        two(text.append(':'), t.getMinute());
        two(text.append(':'), t.getSecond());
        return text.toString();
    }

    private static void two(StringBuilder text, int value) {
        text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }
}
