package dev.atlas.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Opaque values (codes, refresh tokens, cookie bindings): 256 random bits, base64url. Stores key them by their SHA-256,
 * so a heap dump or a debug print of a store holds nothing a caller could present.
 */
final class Opaque {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Opaque() {
    }

    static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** base64url(SHA-256(ASCII value)): the store key of a value, and the PKCE S256 transform (RFC 7636 §4.2). */
    static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares in time independent of where the values differ. */
    static boolean same(String a, String b) {
        return a != null && b != null
            && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
