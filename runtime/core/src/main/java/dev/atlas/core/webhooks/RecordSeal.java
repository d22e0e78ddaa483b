package dev.atlas.core.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.api.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MAC every webhook record on the RabbitMQ spool carries (SPEC §4). Atlas re-signs whatever it delivers with
 * {@code runner.cloudSecret}, so a record anyone with publish rights on the queue could write would be laundered into
 * a validly signed webhook. Each record is sealed with HMAC-SHA256 under a key derived from {@code runner.cloudSecret}
 * (HMAC of a fixed label, so the key signs nothing else) over the body and every header Atlas reads back; a record
 * whose seal does not verify is never delivered or replayed.
 */
final class RecordSeal {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] LABEL = "atlas/webhook-spool-record/v1".getBytes(StandardCharsets.UTF_8);

    private final SecretKeySpec key;

    RecordSeal(Secret cloudSecret) {
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(cloudSecret.bytes(), "HmacSHA256"), LABEL, new byte[0]),
            "HmacSHA256");
    }

    /** The seal of {@code webhook} as a record: hex HMAC over its metadata, then a zero byte, then its body. */
    String seal(SpooledWebhook webhook) {
        try {
            byte[] metadata = JSON.writeValueAsBytes(List.of(webhook.key(), webhook.id(), webhook.vcs(),
                webhook.appId(), webhook.receivedAt().toString(), webhook.attempts(), webhook.headers(),
                webhook.contentType().orElse(""), webhook.lastError().orElse("")));
            return HexFormat.of().formatHex(hmac(key, metadata, webhook.body()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code seal} (may be null) is the seal of {@code webhook}, compared in constant time. */
    boolean verifies(SpooledWebhook webhook, Object seal) {
        return seal != null && MessageDigest.isEqual(seal(webhook).getBytes(StandardCharsets.US_ASCII),
            String.valueOf(seal).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(SecretKeySpec key, byte[] first, byte[] second) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(first);
            mac.update((byte) 0);
            return mac.doFinal(Arrays.copyOf(second, second.length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
