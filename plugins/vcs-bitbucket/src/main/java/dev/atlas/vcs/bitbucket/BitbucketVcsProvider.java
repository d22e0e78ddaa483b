package dev.atlas.vcs.bitbucket;

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
import dev.atlas.plugin.support.HubSignature;
import dev.atlas.plugin.support.PolicyResources;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One Bitbucket Cloud or Data Center app: verifies its webhooks ({@code X-Hub-Signature: sha256=…}), injects its
 * token and supplies the built-in policy. OAuth login is added by {@link BitbucketOAuthVcsProvider} only when the
 * app has an OAuth client.
 */
class BitbucketVcsProvider implements VcsProvider, WebhookVerifier, ApiCredentials, ApiPolicyDefaults,
    PullRequests {
    /**
     * Bitbucket puts a SHA-256 HMAC in the header name GitHub uses for SHA-1; a {@code sha1=} value is refused like
     * any other malformed one.
     */
    private final HubSignature signature = new HubSignature("X-Hub-Signature");
    private final AppSettings app;
    private final BitbucketFlavor flavor;
    private final BitbucketConfig config;

    BitbucketVcsProvider(AppSettings app, BitbucketFlavor flavor, BitbucketConfig config) {
        this.app = app;
        this.flavor = flavor;
        this.config = config;
    }

    @Override
    public AppSettings app() {
        return app;
    }

    BitbucketFlavor flavor() {
        return flavor;
    }

    @Override
    public WebhookVerdict verify(WebhookRequest request) {
        Optional<String> rejection = signature.check(request.headers(), request.body(), app.webhookSecret().bytes());
        if (rejection.isPresent()) {
            return WebhookVerdict.rejected(rejection.get());
        }
        return WebhookVerdict.accepted(request.headers().firstValue(flavor.deliveryHeader()).filter(v -> !v.isBlank()),
            request.headers().firstValue("X-Event-Key"));
    }

    @Override
    public Set<String> relayedHeaders() {
        return flavor.relayedHeaders();
    }

    @Override
    public Optional<String> event(Map<String, String> relayedHeaders) {
        return Optional.ofNullable(relayedHeaders.get("x-event-key"));
    }

    @Override
    public Map<String, String> authHeaders(ApiTarget target) {
        if (config.token().isPresent()) {
            return Map.of("Authorization", "Bearer " + config.token().get().reveal());
        }
        String pair = config.username().orElseThrow() + ":" + config.appPassword().orElseThrow().reveal();
        return Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Cloud access tokens clone as {@code x-token-auth}; an app password clones with its user name. Data Center
     * HTTP access tokens clone with the configured user name (the token owner), else {@code x-token-auth}.
     */
    @Override
    public CloneCredential cloneCredential(ApiTarget target) {
        if (config.token().isEmpty()) {
            return new CloneCredential(config.username().orElseThrow(), config.appPassword().orElseThrow());
        }
        String user = flavor == BitbucketFlavor.DATA_CENTER ? config.username().orElse("x-token-auth") : "x-token-auth";
        return new CloneCredential(user, config.token().get());
    }

    /**
     * The repository of the call: Cloud {@code /repositories/{workspace}/{repo_slug}/...} (owner: the workspace),
     * Data Center {@code /rest/api/1.0/projects/{projectKey}/repos/{repositorySlug}/...} or {@code /rest/api/latest/...}
     * (owner: the project key). The credential does not depend on it. Bitbucket has no GraphQL API, so this
     * provider does not implement {@code GraphqlApi}.
     */
    @Override
    public ApiTarget target(String restPath, Function<String, Optional<String>> header) {
        return (flavor == BitbucketFlavor.CLOUD
            ? ApiPaths.match(restPath, "repositories", "{owner}", "{repo}")
            : ApiPaths.match(restPath, "rest", "api", "1.0", "projects", "{owner}", "repos", "{repo}")
                .or(() -> ApiPaths.match(restPath, "rest", "api", "latest", "projects", "{owner}", "repos", "{repo}")))
            .map(m -> new ApiTarget(Optional.empty(), Optional.of(m.get("owner")), Optional.of(m.get("repo"))))
            .orElseGet(ApiTarget::none);
    }

    @Override
    public String defaultPolicy() {
        return PolicyResources.require(BitbucketVcsProvider.class.getClassLoader(), flavor.policyResource());
    }

    /** No GraphQL API, so no schema. */
    @Override
    public Optional<String> graphqlSchema() {
        return Optional.empty();
    }

    /** The flavour's "create a pull request" ({@link BitbucketPullRequests}): asks Bitbucket nothing. */
    @Override
    public PullRequestCall pullRequestCall(PullRequestRequest request) throws CredentialException {
        return BitbucketPullRequests.call(flavor, request);
    }
}
