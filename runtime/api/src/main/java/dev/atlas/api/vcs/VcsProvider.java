package dev.atlas.api.vcs;

import dev.atlas.api.HostContext;

/**
 * One configured VCS app. What it can do is told by the capability interfaces it also implements:
 * {@link WebhookVerifier}, {@link ApiCredentials}, {@link GraphqlApi}, {@link OAuthLogin},
 * {@link ApiPolicyDefaults}, {@link PullRequests}. The host asks
 * with a type check, so a provider implements only what its VCS offers.
 */
public interface VcsProvider extends AutoCloseable {

    /** The settings it was configured with. */
    AppSettings app();

    /**
     * Called once after configuration succeeded, before any request is routed to the app. May read files; must not
     * call the VCS (start-up does not depend on the VCS being reachable). A thrown exception stops the start.
     */
    default void open(HostContext host) throws Exception {
    }

    /** Called once at stop, also after a failed or partial {@link #open}. Never throws. */
    @Override
    default void close() {
    }
}
