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
import dev.atlas.plugin.support.ApiPaths;
import dev.atlas.plugin.support.PolicyResources;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One Gitea or Forgejo app: verifies its webhooks, injects its access token and supplies the built-in REST policy
 * and the pull-request call of patch jobs.
 * OAuth login is added by {@link GiteaOAuthVcsProvider} only when the app has an OAuth client. Gitea has no GraphQL
 * API, so the provider does not implement {@code GraphqlApi}: Atlas answers the app's GraphQL calls 404 itself.
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

    @Override
    public Set<String> apiResponseHeaders() {
        return Set.of("x-total-count");
    }

    @Override
    public Optional<String> event(Map<String, String> relayedHeaders) {
        return GiteaWebhooks.event(relayedHeaders);
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
     * The repository of {@code /repos/{owner}/{repo}/...} (Gitea API v1, relative to {@code {webUrl}/api/v1}). The
     * token does not depend on it; it names the call in the plugin's own terms.
     */
    @Override
    public ApiTarget target(String restPath, Function<String, Optional<String>> header) {
        return ApiPaths.match(restPath, "repos", "{owner}", "{repo}")
            .map(m -> new ApiTarget(Optional.empty(), Optional.of(m.get("owner")), Optional.of(m.get("repo"))))
            .orElseGet(ApiTarget::none);
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
