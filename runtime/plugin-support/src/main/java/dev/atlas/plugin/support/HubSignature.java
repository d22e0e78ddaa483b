package dev.atlas.plugin.support;

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
 * they are decoded to the 32 MAC bytes before comparing, so case carries no meaning (GitHub and Bitbucket send
 * lowercase). Immutable and thread-safe; no I/O.
 */
public final class HubSignature {
    /** Rejection reason: no signature header, or only an empty one. */
    public static final String MISSING = "missing_signature";
    /** Rejection reason: not one {@code sha256=} value of 64 hex digits. */
    public static final String MALFORMED = "malformed_signature";
    /** Rejection reason: well-formed, but not the MAC of this body under the configured secret. */
    public static final String BAD = "bad_signature";

    private static final String PREFIX = "sha256=";
    private static final int MAC_BYTES = 32;
    private static final String ALGORITHM = "HmacSHA256";
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(HubSignature::newMac);

    private final String header;

    /** A check of the signature carried in the header named {@code header} (for example {@code X-Hub-Signature-256}). */
    public HubSignature(String header) {
        this.header = header;
    }

    /**
     * Checks one webhook delivery; called per request, it does no I/O and never blocks.
     *
     * @param headers the request headers
     * @param body the raw request body, exactly as received
     * @param key the webhook secret's bytes; an empty key rejects every well-formed signature as {@link #BAD}
     * @return empty when the signature holds; otherwise the rejection reason ({@link #MISSING}, {@link #MALFORMED} or
     *     {@link #BAD})
     */
    public Optional<String> check(HttpHeaders headers, byte[] body, byte[] key) {
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
        if (key.length == 0) {
            return Optional.of(BAD);
        }
        return MessageDigest.isEqual(hmacSha256(key, body), given) ? Optional.empty() : Optional.of(BAD);
    }

    /**
     * HMAC-SHA256 of {@code body} under {@code key} (not empty). Each thread keeps one {@code Mac} and keys it per
     * call: looking the algorithm up in the security providers cost more than the MAC of a 1 KB webhook.
     */
    public static byte[] hmacSha256(byte[] key, byte[] body) {
        Mac mac = MACS.get();
        try {
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("not an HmacSHA256 key", e);
        }
        return mac.doFinal(body);
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance(ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
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
