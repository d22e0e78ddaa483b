package dev.atlas.core.outbox;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A webhook Atlas accepted, as kept in the spool until the cloud has it.
 *
 * @param key the spool key: a hash of app and delivery id, safe as a file name
 * @param id the {@code webhook-id} sent to the cloud (the provider's delivery id, else generated)
 * @param vcs the VCS id
 * @param appId the app it arrived for
 * @param receivedAt when Atlas accepted it
 * @param contentType the provider's {@code Content-Type}, relayed unchanged
 * @param headers the provider's event headers that are relayed (lowercase names)
 * @param body the raw body bytes, relayed byte for byte
 * @param attempts delivery attempts made so far
 * @param nextAttemptAt when the next attempt is due
 * @param lastError why the last attempt failed, if one did (never holds a secret)
 * @param target where it goes instead of the relay's {@code {cloud.url}/services/webhooks/{vcs}/}: a job result's
 *     {@code resultUrl} (the results spool, a file spool, is the only one that sets it)
 */
public record SpooledWebhook(String key, String id, String vcs, String appId, Instant receivedAt,
    Optional<String> contentType, Map<String, String> headers, byte[] body, int attempts, Instant nextAttemptAt,
    Optional<String> lastError, Optional<URI> target) {

    /** A webhook for the relay's endpoint (no {@link #target}). */
    public SpooledWebhook(String key, String id, String vcs, String appId, Instant receivedAt,
        Optional<String> contentType, Map<String, String> headers, byte[] body, int attempts, Instant nextAttemptAt,
        Optional<String> lastError) {
        this(key, id, vcs, appId, receivedAt, contentType, headers, body, attempts, nextAttemptAt, lastError,
            Optional.empty());
    }

    /** This webhook after a failed attempt, due again at {@code next}. */
    public SpooledWebhook failed(Instant next, String error) {
        return new SpooledWebhook(key, id, vcs, appId, receivedAt, contentType, headers, body, attempts + 1, next,
            Optional.of(error), target);
    }

    /** This webhook due now with its attempts reset (a replay of a dead letter). */
    public SpooledWebhook replayed(Instant now) {
        return new SpooledWebhook(key, id, vcs, appId, receivedAt, contentType, headers, body, 0, now, lastError,
            target);
    }
}
