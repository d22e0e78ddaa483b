package dev.atlas.vcs.gitlab;

import dev.atlas.api.HostContext;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.api.vcs.PullRequests;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.plugin.support.ApiPaths;
import dev.atlas.plugin.support.PolicyResources;
import dev.atlas.plugin.support.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One GitLab app: verifies its webhooks (secret token or signing token), injects its access token and supplies the
 * built-in policy. OAuth login is added by {@link GitlabOAuthVcsProvider} only when the app has an OAuth client.
 */
class GitlabVcsProvider implements VcsProvider, WebhookVerifier, ApiCredentials, GraphqlApi, ApiPolicyDefaults,
    PullRequests {
    static final String POLICY = "atlas/policy/gitlab.yaml";
    static final String SCHEMA = "atlas/policy/gitlab.graphqls";

    private final AppSettings app;
    private final GitlabConfig config;
    /** Signed webhooks check their timestamp; verify() gets no host, so the host's clock is kept from open(). */
    private volatile Clock clock = Clock.systemUTC();
    /** The host's client (no redirects followed), kept from open(). */
    private volatile HttpClient http;

    GitlabVcsProvider(AppSettings app, GitlabConfig config) {
        this.app = app;
        this.config = config;
    }

    @Override
    public AppSettings app() {
        return app;
    }

    @Override
    public void open(HostContext host) throws Exception {
        clock = host.clock();
        http = host.httpClient();
    }

    @Override
    public WebhookVerdict verify(WebhookRequest request) {
        return GitlabWebhooks.verify(request, app.webhookSecret(), config.signingKey(), clock);
    }

    @Override
    public Set<String> relayedHeaders() {
        return GitlabWebhooks.RELAYED;
    }

    @Override
    public Set<String> apiResponseHeaders() {
        return Set.of("x-gitlab-meta", "x-total", "x-total-pages", "x-next-page", "x-page", "x-per-page",
            "x-prev-page");
    }

    @Override
    public Optional<String> event(Map<String, String> relayedHeaders) {
        return Optional.ofNullable(relayedHeaders.get("x-gitlab-event"));
    }

    /** GitLab takes personal, group and project access tokens as OAuth-style bearer tokens. */
    @Override
    public Map<String, String> authHeaders(ApiTarget target) {
        return Map.of("Authorization", "Bearer " + config.token().reveal());
    }

    /** Git over HTTPS takes any user name with an access token; {@code oauth2} is the one GitLab documents. */
    @Override
    public CloneCredential cloneCredential(ApiTarget target) {
        return new CloneCredential("oauth2", config.token());
    }

    /**
     * {@code POST /projects/{id}/merge_requests}, with the numeric project id asked of GitLab with the app's token
     * (SPEC 6).
     */
    @Override
    public PullRequestCall pullRequestCall(PullRequestRequest request) throws CredentialException {
        HttpClient client = http;
        if (client == null) {
            throw new CredentialException("the GitLab provider is not open", false);
        }
        return GitlabMergeRequests.call(request,
            GitlabProjectIds.resolve(client, app.apiUrl(), config.token(), request.repositoryPath()));
    }

    /**
     * The project of {@code /projects/{id}/...} by its numeric id (in {@code repository}; GitLab paths name no owner).
     * The URL-encoded form ({@code group%2Fproject}) is not read: an encoded slash is refused by the policy and names
     * no project here. The token does not depend on the project.
     */
    @Override
    public ApiTarget target(String restPath, Function<String, Optional<String>> header) {
        return ApiPaths.match(restPath, "projects", "{id}").map(m -> m.get("id")).filter(GitlabVcsProvider::numeric)
            .map(id -> new ApiTarget(Optional.empty(), Optional.empty(), Optional.of(id)))
            .orElseGet(ApiTarget::none);
    }

    private static boolean numeric(String id) {
        return id.length() <= 19 && id.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    @Override
    public URI graphqlEndpoint() {
        return Upstream.join(app.webUrl(), "/api/graphql");
    }

    @Override
    public String defaultPolicy() {
        return PolicyResources.require(GitlabVcsProvider.class.getClassLoader(), POLICY);
    }

    /** The GraphQL schema subset, when the built-in policy ships one; without it the policy engine denies GraphQL. */
    @Override
    public Optional<String> graphqlSchema() {
        return PolicyResources.read(GitlabVcsProvider.class.getClassLoader(), SCHEMA);
    }
}
