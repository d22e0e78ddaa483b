package dev.atlas.vcs.bitbucket;

import java.util.Set;

/** What differs between Bitbucket Cloud and Bitbucket Data Center at the webhook and policy level. */
enum BitbucketFlavor {
    /**
     * Bitbucket Cloud. {@code X-Request-UUID} identifies one delivery; {@code X-Hook-UUID} identifies the webhook
     * subscription and is the same for every delivery, so it is relayed but never used as a delivery id.
     */
    CLOUD("bitbucket", "X-Request-UUID", "atlas/policy/bitbucket.yaml",
        Set.of("x-event-key", "x-hook-uuid", "x-request-uuid", "x-attempt-number", "user-agent")),
    /** Bitbucket Data Center (formerly Server). */
    DATA_CENTER("bitbucket-dc", "X-Request-Id", "atlas/policy/bitbucket-dc.yaml",
        Set.of("x-event-key", "x-request-id", "user-agent"));

    private final String id;
    private final String deliveryHeader;
    private final String policyResource;
    private final Set<String> relayedHeaders;

    BitbucketFlavor(String id, String deliveryHeader, String policyResource, Set<String> relayedHeaders) {
        this.id = id;
        this.deliveryHeader = deliveryHeader;
        this.policyResource = policyResource;
        this.relayedHeaders = relayedHeaders;
    }

    /** The VCS id ({@code vcs:} value). */
    String id() {
        return id;
    }

    String deliveryHeader() {
        return deliveryHeader;
    }

    String policyResource() {
        return policyResource;
    }

    Set<String> relayedHeaders() {
        return relayedHeaders;
    }
}
