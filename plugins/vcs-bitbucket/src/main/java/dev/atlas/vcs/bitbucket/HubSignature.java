package dev.atlas.vcs.bitbucket;

import dev.atlas.api.Secret;
import java.net.http.HttpHeaders;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a {@code sha256=<hex HMAC-SHA256(secret, raw body)>} signature header. The header must occur once, carry
 * exactly {@code sha256=} and 64 hex digits, and match in constant time. Hex digits are accepted in either case:
 * they are decoded to the 32 MAC bytes before comparing, so case carries no meaning (Bitbucket sends lowercase).
 */
final class HubSignature {
    static final String MISSING = "missing_signature";
    static final String MALFORMED = "malformed_signature";
    static final String BAD = "bad_signature";

    private static final String PREFIX = "sha256=";
    private static final int MAC_BYTES = 32;

    private final String header;

    HubSignature(String header) {
        this.header = header;
    }

    /** Empty when the signature holds; otherwise the rejection reason. */
    Optional<String> check(HttpHeaders headers, byte[] body, Secret secret) {
        List<String> values = headers.allValues(header);
        if (values.isEmpty()) {
            return Optional.of(MISSING);
        }
        // Two signature headers are ambiguous: which one the sender meant is not ours to guess.
        if (values.size() > 1) {
            return Optional.of(MALFORMED);
        }
        String value = stripOws(values.get(0));
        if (value.isEmpty()) {
            return Optional.of(MISSING);
        }
        if (!value.startsWith(PREFIX) || value.length() != PREFIX.length() + 2 * MAC_BYTES) {
            return Optional.of(MALFORMED);
        }
        byte[] given = decodeHex(value.substring(PREFIX.length()));
        if (given == null) {
            return Optional.of(MALFORMED);
        }
        if (secret.isEmpty()) {
            return Optional.of(BAD);
        }
        return MessageDigest.isEqual(hmacSha256(secret.bytes(), body), given) ? Optional.empty() : Optional.of(BAD);
    }

    /** HMAC-SHA256 of {@code body} under {@code key}. */
    static byte[] hmacSha256(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** HTTP optional whitespace (space, tab) around a field value is not part of it (RFC 9110 §5.5). */
    private static String stripOws(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }

    private static byte[] decodeHex(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = hexDigit(hex.charAt(2 * i));
            int lo = hexDigit(hex.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    /** ASCII hex only: {@link Character#digit} would also take non-ASCII digits such as U+0663. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
