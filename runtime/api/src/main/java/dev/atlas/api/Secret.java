package dev.atlas.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A secret value from the configuration (a webhook secret, a token, a private key). Its {@link #toString()} never
 * shows the value, so a secret that ends up in a log line or an exception message shows as {@code ***}.
 */
public final class Secret {
    private final byte[] value;

    private Secret(byte[] value) {
        this.value = value;
    }

    /** Wraps the UTF-8 bytes of {@code value}. */
    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8));
    }

    /** Wraps a copy of {@code bytes} (for keys given in decoded form, such as {@code whsec_} secrets). */
    public static Secret ofBytes(byte[] bytes) {
        return new Secret(bytes.clone());
    }

    /** The value as text. Call only where the value is used, never to build a message. */
    public String reveal() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** A copy of the raw bytes, for HMAC keys. */
    public byte[] bytes() {
        return value.clone();
    }

    public boolean isEmpty() {
        return value.length == 0;
    }

    /** Compares with {@code candidate} in time independent of where they differ. */
    public boolean matches(byte[] candidate) {
        return candidate != null && MessageDigest.isEqual(value, candidate);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s && MessageDigest.isEqual(value, s.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "***";
    }
}
