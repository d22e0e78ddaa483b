package dev.atlas.api.vcs;

import java.util.Optional;

/** What a {@link WebhookVerifier} decided about one webhook. */
public sealed interface WebhookVerdict {

    /**
     * The signature holds.
     *
     * @param deliveryId the provider's delivery id ({@code X-GitHub-Delivery}, {@code Idempotency-Key},
     *     {@code X-Request-UUID}…), used for de-duplication; empty when the provider sent none
     * @param event the provider's event name, for logs and metrics
     */
    record Accepted(Optional<String> deliveryId, Optional<String> event) implements WebhookVerdict {
    }

    /**
     * The webhook is refused (answered 401, never spooled).
     *
     * @param reason a short machine-readable reason for logs and metrics ({@code missing_signature},
     *     {@code bad_signature}, {@code malformed_signature}); never holds secret or signature material
     */
    record Rejected(String reason) implements WebhookVerdict {
    }

    static WebhookVerdict accepted(Optional<String> deliveryId, Optional<String> event) {
        return new Accepted(deliveryId, event);
    }

    static WebhookVerdict rejected(String reason) {
        return new Rejected(reason);
    }
}
