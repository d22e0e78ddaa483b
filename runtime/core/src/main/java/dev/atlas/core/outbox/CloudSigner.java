package dev.atlas.core.outbox;

import dev.atlas.api.Secret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhooks for the cloud with {@code runner.cloudSecret}: Standard Webhooks ({@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}) and
 * {@code X-Atlas-Signature-256: sha256=<hex HMAC-SHA256 of the body>} for receivers without timestamps.
 */
public final class CloudSigner {
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(CloudSigner::newMac);
    private final SecretKeySpec key;

    public CloudSigner(Secret cloudSecret) {
        byte[] bytes = cloudSecret.bytes();
        this.key = bytes.length == 0 ? null : new SecretKeySpec(bytes, "HmacSHA256"); // config refuses an empty one
    }

    /** The signature headers for one attempt at {@code timestampSeconds}. */
    public Map<String, String> headers(String webhookId, long timestampSeconds, byte[] body) {
        byte[] prefix = (webhookId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        Mac mac = mac();
        mac.update(prefix);
        byte[] standard = mac.doFinal(body);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", webhookId);
        headers.put("webhook-timestamp", String.valueOf(timestampSeconds));
        headers.put("webhook-signature", "v1," + Base64.getEncoder().encodeToString(standard));
        headers.put("X-Atlas-Signature-256", "sha256=" + HexFormat.of().formatHex(mac().doFinal(body)));
        return headers;
    }

    /** This thread's {@code Mac} keyed with the cloud secret (a provider lookup per signature cost more than it). */
    private Mac mac() {
        if (key == null) {
            throw new IllegalStateException("runner.cloudSecret is empty");
        }
        Mac mac = MACS.get();
        try {
            mac.init(key);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("runner.cloudSecret is not an HmacSHA256 key", e);
        }
        return mac;
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
