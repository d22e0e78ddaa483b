package dev.atlas.core.keys;

import dev.atlas.api.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An HMAC-SHA256 under a key derived from a shared secret for one purpose: the key is the HMAC of {@code label} under
 * the secret, so a MAC made for one purpose (a spool record, a task message Atlas re-queued) is never valid for
 * another, and never equals a signature the secret makes elsewhere (webhook re-signing).
 */
public final class DerivedMac {
    private final SecretKeySpec key;

    /** @param label names the purpose, such as {@code atlas/webhook-spool-record/v1} */
    public DerivedMac(Secret secret, String label) {
        this.key = new SecretKeySpec(derive(secret.bytes(), label), "HmacSHA256");
    }

    /**
     * The 32-byte key for {@code label} derived from {@code secret}, as this class derives its own (used as it is by
     * {@link MacTokens}).
     */
    static byte[] derive(byte[] secret, String label) {
        return hmac(new SecretKeySpec(secret, "HmacSHA256"), new byte[][] {label.getBytes(StandardCharsets.UTF_8)});
    }

    /** The hex MAC of {@code parts}, each followed by a zero byte so that no two splits of the same bytes agree. */
    public String mac(byte[]... parts) {
        return HexFormat.of().formatHex(hmac(key, parts));
    }

    /** Whether {@code mac} (may be null) is the MAC of {@code parts}, compared in constant time. */
    public boolean verifies(Object mac, byte[]... parts) {
        return mac != null && MessageDigest.isEqual(mac(parts).getBytes(StandardCharsets.US_ASCII),
            String.valueOf(mac).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(SecretKeySpec key, byte[][] parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            for (byte[] part : parts) {
                mac.update(part);
                mac.update((byte) 0);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
