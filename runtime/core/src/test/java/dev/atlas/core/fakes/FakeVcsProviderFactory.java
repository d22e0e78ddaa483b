package dev.atlas.core.fakes;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.vcs.ApiCredentials;
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
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pf4j.Extension;

/** A VCS id {@code fakevcs} on the test classpath: accepts webhooks whose {@code X-Fake-Token} is the secret. */
@Extension
public final class FakeVcsProviderFactory implements VcsProviderFactory {
    @Override
    public String id() {
        return "fakevcs";
    }

    @Override
    public String configSection() {
        return "fakevcs";
    }

    @Override
    public VcsProvider configure(AppSettings app, ConfigSection section, Problems problems) {
        section.allowOnly(Set.of("flavour"));
        section.string("flavour").filter(f -> !f.equals("plain") && !f.equals("spicy") && !f.equals("restonly"))
            .ifPresent(f -> problems.add(section.keyOf("flavour"), "must be plain, spicy or restonly"));
        // spicy: a VCS that cannot open pull requests (patch tasks with pullRequest are refused); restonly: a VCS
        // without a GraphQL API
        String flavour = section.string("flavour").orElse("plain");
        return flavour.equals("spicy") ? new GraphqlProvider(app)
            : flavour.equals("restonly") ? new Provider(app) : new PullRequestProvider(app);
    }

    /** When true, clone credentials fail as if the VCS could not be reached. */
    public static volatile boolean credentialsUnreachable;

    /** Every {@link GitAccess} Atlas's git endpoint asked a credential for, in order. */
    public static final java.util.List<GitAccess> GIT_ACCESSES = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Every credential Atlas revoked (the password), in order. */
    public static final java.util.List<String> REVOKED = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The clone token the fake hands out for {@code owner/repo}. */
    public static String cloneToken(String owner, String repo) {
        return "fake-clone-token-" + owner + "-" + repo;
    }

    /** The provider: webhook verification and API/clone credentials, no GraphQL API. */
    static class Provider implements VcsProvider, WebhookVerifier, ApiCredentials {
        private final AppSettings app;

        Provider(AppSettings app) {
            this.app = app;
        }

        @Override
        public AppSettings app() {
            return app;
        }

        @Override
        public WebhookVerdict verify(WebhookRequest request) {
            return request.headers().firstValue("X-Fake-Token")
                .filter(t -> app.webhookSecret().matches(t.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .<WebhookVerdict>map(t -> WebhookVerdict.accepted(request.headers().firstValue("X-Fake-Delivery"),
                    Optional.of("push")))
                .orElse(WebhookVerdict.rejected("bad_signature"));
        }

        @Override
        public Map<String, String> authHeaders(ApiTarget target) throws CredentialException {
            if (credentialsUnreachable) {
                throw new CredentialException("fake VCS unreachable", true);
            }
            return Map.of("Authorization", "Bearer fake-api-token");
        }

        @Override
        public CloneCredential cloneCredential(ApiTarget target) throws CredentialException {
            if (credentialsUnreachable) {
                throw new CredentialException("fake VCS unreachable", true);
            }
            return new CloneCredential("x-access-token", Secret.of(cloneToken(target.owner().orElse("-"),
                target.repository().orElse("-"))));
        }

        @Override
        public CloneCredential cloneCredential(ApiTarget target, GitAccess access) throws CredentialException {
            CloneCredential credential = cloneCredential(target);
            GIT_ACCESSES.add(access);
            return credential;
        }

        @Override
        public void revoke(CloneCredential credential) {
            REVOKED.add(credential.password().reveal());
        }

        @Override
        public Set<String> relayedHeaders() {
            return Set.of("x-fake-event", "x-fake-delivery");
        }

        /** Like GitLab's, the fake VCS's answers carry a pagination header of its own, which its plugin names. */
        @Override
        public Set<String> apiResponseHeaders() {
            return Set.of("x-total");
        }

        @Override
        public Optional<String> event(Map<String, String> relayedHeaders) {
            return Optional.ofNullable(relayedHeaders.get("x-fake-event"));
        }
    }

    /** A provider whose VCS also has a GraphQL API (at {@code <apiUrl>/graphql}). */
    static class GraphqlProvider extends Provider implements GraphqlApi {
        GraphqlProvider(AppSettings app) {
            super(app);
        }

        @Override
        public URI graphqlEndpoint() {
            return URI.create(app().apiUrl() + "/graphql");
        }
    }

    /** The provider of the plain flavour: also builds a pull request call. */
    static final class PullRequestProvider extends GraphqlProvider implements PullRequests {
        PullRequestProvider(AppSettings app) {
            super(app);
        }

        /** A GitHub-shaped call: {@code POST /repos/{owner}/{repo}/pulls}. */
        @Override
        public PullRequestCall pullRequestCall(PullRequestRequest request) {
            String[] segments = request.repositoryPath().split("/");
            String repository = segments[segments.length - 2] + "/" + segments[segments.length - 1];
            return new PullRequestCall("POST", "/repos/" + repository + "/pulls",
                "{\"title\": \"" + request.title() + "\", \"head\": \"" + request.branch() + "\", \"base\": \""
                    + request.base() + "\"}",
                request.installationId().map(id -> Map.of("X-Installation-ID", id)).orElse(Map.of()), "/html_url",
                "/number");
        }
    }
}
