package dev.atlas.vcs.gitlab;

import dev.atlas.api.Secret;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies GitLab webhooks. With a plain secret, {@code X-Gitlab-Token} must equal it. With a {@code whsec_}
 * secret only a valid Standard Webhooks signature is accepted: the replayable plain token is then ignored, so a
 * captured token cannot downgrade a signed hook.
 */
final class GitlabWebhooks {
    static final String MISSING = "missing_signature";
    static final String MALFORMED = "malformed_signature";
    static final String BAD = "bad_signature";

    static final Set<String> RELAYED = Set.of("x-gitlab-event", "x-gitlab-instance", "x-gitlab-webhook-uuid",
        "x-gitlab-event-uuid", "idempotency-key", "user-agent");

    private GitlabWebhooks() {
    }

    static WebhookVerdict verify(WebhookRequest request, Secret webhookSecret, Optional<Secret> signingKey, Clock clock) {
        HttpHeaders headers = request.headers();
        Optional<String> rejection = signingKey.isPresent()
            ? StandardWebhookSignature.check(headers, request.body(), signingKey.get(), clock)
            : checkToken(headers, webhookSecret);
        if (rejection.isPresent()) {
            return WebhookVerdict.rejected(rejection.get());
        }
        // A signed webhook-id is the authenticated delivery id; otherwise GitLab's own headers, most specific first.
        Optional<String> deliveryId = signingKey.isPresent() ? headers.firstValue("webhook-id") : Optional.empty();
        for (String header : List.of("Idempotency-Key", "X-Gitlab-Event-UUID", "X-Gitlab-Webhook-UUID")) {
            if (deliveryId.isEmpty()) {
                deliveryId = headers.firstValue(header).filter(v -> !v.isBlank());
            }
        }
        return WebhookVerdict.accepted(deliveryId, headers.firstValue("X-Gitlab-Event"));
    }

    private static Optional<String> checkToken(HttpHeaders headers, Secret webhookSecret) {
        List<String> values = headers.allValues("X-Gitlab-Token");
        if (values.size() > 1) {
            return Optional.of(MALFORMED);
        }
        if (values.isEmpty() || values.get(0).isEmpty()) {
            return Optional.of(MISSING);
        }
        // Comparing digests keeps the time independent of both content and length of the secret.
        boolean equal = MessageDigest.isEqual(sha256(webhookSecret.bytes()),
            sha256(values.get(0).getBytes(StandardCharsets.UTF_8)));
        return equal && !webhookSecret.isEmpty() ? Optional.empty() : Optional.of(BAD);
    }

    private static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
