package dev.atlas.vcs.gitea;

import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.api.vcs.PullRequests;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.plugin.support.PolicyResources;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One Gitea or Forgejo app: verifies its webhooks, injects its access token and supplies the built-in REST policy
 * and the pull-request call of patch jobs.
 * OAuth login is added by {@link GiteaOAuthVcsProvider} only when the app has an OAuth client. Gitea has no GraphQL
 * API: the built-in policy denies GraphQL, so no GraphQL request ever reaches the credentials.
 */
class GiteaVcsProvider implements VcsProvider, WebhookVerifier, ApiCredentials, ApiPolicyDefaults,
    PullRequests {
    static final String POLICY = "atlas/policy/gitea.yaml";
    /** Gitea ignores the user name of HTTP basic auth when the password is an access token (services/auth/basic.go). */
    static final String CLONE_USER = "oauth2";

    private final AppSettings app;
    private final GiteaConfig config;

    GiteaVcsProvider(AppSettings app, GiteaConfig config) {
        this.app = app;
        this.config = config;
    }

    @Override
    public AppSettings app() {
        return app;
    }

    @Override
    public WebhookVerdict verify(WebhookRequest request) {
        return GiteaWebhooks.verify(request, app.webhookSecret());
    }

    @Override
    public Set<String> relayedHeaders() {
        return GiteaWebhooks.RELAYED;
    }

    /** Gitea's documented API token scheme ({@code Authorization: token <token>}); it accepts {@code Bearer} too. */
    @Override
    public Map<String, String> authHeaders(ApiTarget target) {
        return Map.of("Authorization", "token " + config.token().reveal());
    }

    @Override
    public CloneCredential cloneCredential(ApiTarget target) {
        return new CloneCredential(CLONE_USER, config.token());
    }

    /**
     * Gitea and Forgejo have no GraphQL API, but this version of the plugin API requires an endpoint. The built-in
     * policy denies GraphQL (and a policy cannot enable it without a schema subset, which this plugin does not ship),
     * so the host never forwards a GraphQL request here; if it ever did, this refuses rather than inventing a URL.
     * Deliberately without {@code @Override}: it keeps compiling once the API makes GraphQL an optional capability.
     */
    public URI graphqlEndpoint() {
        throw new UnsupportedOperationException("Gitea has no GraphQL API");
    }

    @Override
    public String defaultPolicy() {
        return PolicyResources.require(GiteaVcsProvider.class.getClassLoader(), POLICY);
    }

    /** No schema subset: without one the policy engine denies every GraphQL request. */
    @Override
    public Optional<String> graphqlSchema() {
        return Optional.empty();
    }

    /** {@code POST /repos/{owner}/{repo}/pulls} ({@link GiteaPullRequests}): asks Gitea nothing. */
    @Override
    public PullRequestCall pullRequestCall(PullRequestRequest request) throws CredentialException {
        return GiteaPullRequests.call(request);
    }
}
