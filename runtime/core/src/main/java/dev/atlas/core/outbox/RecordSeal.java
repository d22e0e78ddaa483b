package dev.atlas.core.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.api.Secret;
import dev.atlas.core.keys.DerivedMac;
import java.util.List;

/**
 * The MAC every webhook record on the RabbitMQ spool carries (SPEC §4). Atlas re-signs whatever it delivers with
 * {@code runner.cloudSecret}, so a record anyone with publish rights on the queue could write would be laundered into
 * a validly signed webhook. Each record is sealed with a {@link DerivedMac} of {@code runner.cloudSecret} over the
 * body and every header Atlas reads back; a record whose seal does not verify is never delivered or replayed.
 */
final class RecordSeal {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DerivedMac mac;

    RecordSeal(Secret cloudSecret) {
        this.mac = new DerivedMac(cloudSecret, "atlas/webhook-spool-record/v1");
    }

    /** The seal of {@code webhook} as a record. */
    String seal(SpooledWebhook webhook) {
        return mac.mac(metadata(webhook), webhook.body());
    }

    /** Whether {@code seal} (may be null) is the seal of {@code webhook}. */
    boolean verifies(SpooledWebhook webhook, Object seal) {
        return mac.verifies(seal, metadata(webhook), webhook.body());
    }

    private static byte[] metadata(SpooledWebhook webhook) {
        try {
            return JSON.writeValueAsBytes(List.of(webhook.key(), webhook.id(), webhook.vcs(), webhook.appId(),
                webhook.receivedAt().toString(), webhook.attempts(), webhook.headers(),
                webhook.contentType().orElse(""), webhook.lastError().orElse("")));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
