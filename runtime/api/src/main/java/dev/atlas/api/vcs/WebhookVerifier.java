package dev.atlas.api.vcs;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Capability of a {@link VcsProvider}: proves that a webhook was sent by the VCS. */
public interface WebhookVerifier {

    /**
     * Checks the provider's signature over the raw body bytes, in constant time, with the app's own webhook secret
     * (never a secret chosen from the payload). Called on the HTTP thread for each webhook; does no I/O.
     *
     * @return {@link WebhookVerdict.Accepted} with the delivery id, or {@link WebhookVerdict.Rejected}
     */
    WebhookVerdict verify(WebhookRequest request);

    /**
     * Lowercase names of the provider's event and delivery headers that are relayed to the cloud
     * ({@code x-github-event}, {@code x-github-delivery}…). Signature and token headers must not be among them.
     */
    Set<String> relayedHeaders();

    /**
     * The provider's event name of a spooled webhook, read from its relayed headers (the names of
     * {@link #relayedHeaders()}, lowercase, as they were stored): the delivery route's {@code AtlasEvent}. Empty when
     * none of them names it. Called for each delivery attempt; does no I/O.
     */
    default Optional<String> event(Map<String, String> relayedHeaders) {
        return Optional.empty();
    }
}
