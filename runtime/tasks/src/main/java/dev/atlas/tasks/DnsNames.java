package dev.atlas.tasks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Kubernetes DNS-1123 labels ({@code [a-z0-9]([-a-z0-9]*[a-z0-9])?}, at most 63 characters) made from free text.
 * A name that had to change (characters replaced, or truncated) gets a hash of the original text appended, so two
 * different task ids never map to one job name ({@code T.1} and {@code t-1} both clean to {@code t-1}).
 */
public final class DnsNames {
    static final int MAX = 63;
    private static final int HASH_CHARS = 10;

    private DnsNames() {
    }

    /** {@code prefix} (already a valid label start) followed by {@code text} cleaned; at most 63 characters. */
    public static String label(String prefix, String text) {
        String cleaned = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
        String candidate = (prefix + cleaned).replaceAll("-{2,}", "-").replaceAll("^-+|-+$", "");
        boolean exact = cleaned.equals(text) && candidate.equals(prefix + text) && candidate.length() <= MAX;
        if (exact && !candidate.isEmpty()) {
            return candidate;
        }
        String hash = hash(text);
        int room = MAX - HASH_CHARS - 1;
        String head = candidate.length() > room ? candidate.substring(0, room) : candidate;
        head = head.replaceAll("-+$", "");
        return head.isEmpty() ? "x-" + hash : head + "-" + hash;
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
