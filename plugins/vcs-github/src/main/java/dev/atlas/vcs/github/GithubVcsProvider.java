package dev.atlas.vcs.github;

import dev.atlas.api.HostContext;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.GitAccess;
import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.api.vcs.PullRequests;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.plugin.support.ApiPaths;
import dev.atlas.plugin.support.HubSignature;
import dev.atlas.plugin.support.OpenedPart;
import dev.atlas.plugin.support.PolicyResources;
import dev.atlas.plugin.support.Upstream;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One GitHub (github.com or GHES) app: verifies its webhooks, injects its App's installation tokens and supplies the
 * built-in policy. OAuth login is added by {@link GithubOAuthVcsProvider} only when the app configures an OAuth
 * client, so the host's capability check tells whether the app can log users in.
 */
class GithubVcsProvider implements VcsProvider, WebhookVerifier, ApiCredentials, GraphqlApi, ApiPolicyDefaults,
    PullRequests {
    static final String POLICY = "atlas/policy/github.yaml";
    static final String SCHEMA = "atlas/policy/github.graphqls";

    private static final Set<String> RELAYED = Set.of("x-github-event", "x-github-delivery", "x-github-hook-id",
        "x-github-hook-installation-target-id", "x-github-hook-installation-target-type", "x-github-enterprise-version",
        "x-github-enterprise-host", "user-agent");

    /** Only the SHA-256 header: the legacy SHA-1 {@code X-Hub-Signature} is never consulted. */
    private final HubSignature signature = new HubSignature("X-Hub-Signature-256");
    private final AppSettings app;
    private final GithubConfig config;
    private final URI graphqlEndpoint;
    private final OpenedPart<InstallationTokens> tokens;

    GithubVcsProvider(AppSettings app, GithubConfig config) {
        this.app = app;
        this.config = config;
        this.graphqlEndpoint = graphqlEndpoint(app.apiUrl());
        this.tokens = new OpenedPart<>("provider for app " + app.appId());
    }

    @Override
    public AppSettings app() {
        return app;
    }

    @Override
    public void open(HostContext host) throws Exception {
        tokens.set(new InstallationTokens(app.apiUrl(), config, new AppJwt(config, host.clock()), host.httpClient(),
            host.clock(), host.metrics()));
    }

    @Override
    public void close() {
        tokens.ifOpened().ifPresent(InstallationTokens::clear);
    }

    @Override
    public WebhookVerdict verify(WebhookRequest request) {
        Optional<String> rejection = signature.check(request.headers(), request.body(), app.webhookSecret().bytes());
        if (rejection.isPresent()) {
            return WebhookVerdict.rejected(rejection.get());
        }
        return WebhookVerdict.accepted(request.headers().firstValue("X-GitHub-Delivery"),
            request.headers().firstValue("X-GitHub-Event"));
    }

    @Override
    public Set<String> relayedHeaders() {
        return RELAYED;
    }

    @Override
    public Set<String> apiRequestHeaders() {
        return Set.of("x-github-api-version");
    }

    @Override
    public Set<String> apiResponseHeaders() {
        return Set.of("x-github-request-id");
    }

    @Override
    public Optional<String> event(Map<String, String> relayedHeaders) {
        return Optional.ofNullable(relayedHeaders.get("x-github-event"));
    }

    @Override
    public Map<String, String> authHeaders(ApiTarget target) throws CredentialException {
        return Map.of("Authorization", "Bearer " + tokens.get().tokenFor(target).reveal());
    }

    @Override
    public CloneCredential cloneCredential(ApiTarget target) throws CredentialException {
        return new CloneCredential("x-access-token", tokens.get().tokenFor(target));
    }

    /** A token for this one task's fetch or push: that repository, {@code contents: read|write}, never cached. */
    @Override
    public CloneCredential cloneCredential(ApiTarget target, GitAccess access) throws CredentialException {
        return new CloneCredential("x-access-token", tokens.get().taskToken(target, access));
    }

    @Override
    public void revoke(CloneCredential credential) {
        tokens.ifOpened().ifPresent(t -> t.revoke(credential.password()));
    }

    /**
     * The installation the caller named ({@code X-Installation-ID}, SPEC 5) and the repository of
     * {@code /repos/{owner}/{repo}/...}: the installation token is the one of that installation, else of the
     * repository's owner.
     */
    @Override
    public ApiTarget target(String restPath, Function<String, Optional<String>> header) {
        Optional<String> installation = header.apply("X-Installation-ID").map(String::trim).filter(s -> !s.isEmpty());
        return ApiPaths.match(restPath, "repos", "{owner}", "{repo}")
            .map(m -> new ApiTarget(installation, Optional.of(m.get("owner")), Optional.of(m.get("repo"))))
            .orElseGet(() -> new ApiTarget(installation, Optional.empty(), Optional.empty()));
    }

    @Override
    public URI graphqlEndpoint() {
        return graphqlEndpoint;
    }

    @Override
    public String defaultPolicy() {
        return PolicyResources.require(GithubVcsProvider.class.getClassLoader(), POLICY);
    }

    @Override
    public Optional<String> graphqlSchema() {
        return Optional.of(PolicyResources.require(GithubVcsProvider.class.getClassLoader(), SCHEMA));
    }

    /**
     * GitHub's GraphQL endpoint for an API base: {@code https://api.github.com} (and GHE.com's {@code api.<x>.ghe.com})
     * serve it at {@code /graphql}; GHES serves REST at {@code /api/v3} and GraphQL at {@code /api/graphql}.
     */
    static URI graphqlEndpoint(URI apiUrl) {
        String path = apiUrl.getPath() == null ? "" : apiUrl.getPath().replaceAll("/+$", "");
        if (path.endsWith("/api/v3")) {
            String prefix = path.substring(0, path.length() - "/api/v3".length());
            return URI.create(apiUrl.getScheme() + "://" + apiUrl.getRawAuthority() + prefix + "/api/graphql");
        }
        return Upstream.join(apiUrl, "/graphql");
    }

    /** {@code POST /repos/{owner}/{repo}/pulls}: asks GitHub nothing. */
    @Override
    public PullRequestCall pullRequestCall(PullRequestRequest request) throws CredentialException {
        return GithubPullRequests.call(request);
    }
}
