package dev.atlas.driver.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Turns any text (a task id) into a valid Kubernetes label value: at most 63 characters of {@code [A-Za-z0-9._-]},
 * starting and ending with a letter or digit. A valid value is kept as it is; any other gets a hash of the original
 * appended, so two task ids that differ only in dropped characters still get different labels. Labels are for
 * selecting; the exact task id is in the {@code atlas.dev/task-id} annotation and is checked after every lookup.
 */
final class LabelValues {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final int HASH_CHARS = 10;

    private LabelValues() {
    }

    static String of(String raw) {
        if (VALID.matcher(raw).matches()) {
            return raw;
        }
        String cleaned = raw.replaceAll("[^-A-Za-z0-9_.]", "-");
        int max = 63 - HASH_CHARS - 1;
        if (cleaned.length() > max) {
            cleaned = cleaned.substring(0, max);
        }
        cleaned = cleaned.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
        String hash = sha256(raw).substring(0, HASH_CHARS);
        return cleaned.isEmpty() ? hash : cleaned + "-" + hash;
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
