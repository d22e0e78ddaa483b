package dev.atlas.vcs.gitlab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.OAuthClientSettings;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.VcsProviderContract;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract, the plain secret-token scheme, configuration and credentials. The contract runs against the signed
 * scheme ({@code whsec_} secret): GitLab's plain {@code X-Gitlab-Token} does not cover the body, so "a changed body
 * is rejected" cannot hold for it (see {@link #theSecretTokenSchemeDoesNotProtectTheBody}).
 */
class GitlabProviderTest extends VcsProviderContract {
    private static final String SECRET = "s3cr3t-hook";
    private static final String WHSEC = "whsec_" + Base64.getEncoder().encodeToString(
        "contract-key-0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final String KEY = "installations[0].apps[0].gitlab";
    private static final byte[] BODY = "{\"object_kind\":\"push\"}".getBytes(StandardCharsets.UTF_8);

    @Override
    protected VcsProviderFactory factory() {
        return new GitlabVcsProviderFactory();
    }

    @Override
    protected String expectedId() {
        return "gitlab";
    }

    @Override
    protected Map<String, Object> validSection() {
        return Map.of("token", "glpat-abc");
    }

    @Override
    protected Map<String, ApiTarget> apiTargets() {
        return Map.of(
            "/projects/4711/merge_requests", new ApiTarget(Optional.empty(), Optional.empty(), Optional.of("4711")),
            "/projects/4711", new ApiTarget(Optional.empty(), Optional.empty(), Optional.of("4711")),
            "/projects/acme", ApiTarget.none(), "/user", ApiTarget.none(), "/groups/7/projects", ApiTarget.none());
    }

    @Override
    protected AppSettings app() {
        return new AppSettings("acme", "app-1", "gitlab", URI.create("https://gitlab.example"),
            URI.create("https://gitlab.example/api/v4"), Secret.of(WHSEC),
            Optional.of(new OAuthClientSettings("client", Secret.of("oauth-secret"))), "installations[0].apps[0]");
    }

    /** Standard Webhooks headers, signed now (the provider is not opened, so it reads the system clock). */
    @Override
    protected Map<String, List<String>> signedHeaders(byte[] body, Secret secret) {
        String text = secret.reveal();
        byte[] key = text.startsWith("whsec_") ? Base64.getDecoder().decode(text.substring(6)) : secret.bytes();
        long now = Instant.now().getEpochSecond();
        return Map.of("webhook-id", List.of("msg_1"), "webhook-timestamp", List.of(Long.toString(now)),
            "webhook-signature", List.of(GitlabSignedWebhookTest.sign(key, "msg_1", now, body)));
    }

    /** A provider whose app uses GitLab's plain secret token. */
    private WebhookVerifier tokenVerifier() {
        AppSettings app = new AppSettings("acme", "app-1", "gitlab", URI.create("https://gitlab.example"),
            URI.create("https://gitlab.example/api/v4"), Secret.of(SECRET), Optional.empty(), "installations[0].apps[0]");
        ProblemList problems = new ProblemList();
        VcsProvider provider = factory().configure(app, ConfigTrees.section(KEY, validSection(), problems), problems);
        assertThat(problems.lines()).isEmpty();
        return (WebhookVerifier) provider;
    }

    private static Map<String, List<String>> tokenHeaders(String token) {
        return Map.of("X-Gitlab-Token", List.of(token), "X-Gitlab-Event", List.of("Push Hook"),
            "X-Gitlab-Event-UUID", List.of("e-uuid"), "X-Gitlab-Webhook-UUID", List.of("w-uuid"));
    }

    static Stream<Arguments> tokenCases() {
        return Stream.of(
            Arguments.of("the secret", List.of(SECRET), null),
            Arguments.of("another secret", List.of("other"), "bad_signature"),
            Arguments.of("the secret with one more character", List.of(SECRET + "x"), "bad_signature"),
            Arguments.of("a prefix of the secret", List.of(SECRET.substring(0, 5)), "bad_signature"),
            Arguments.of("the secret in another case", List.of(SECRET.toUpperCase()), "bad_signature"),
            Arguments.of("the secret with a space inside", List.of("s3cr3t -hook"), "bad_signature"),
            Arguments.of("no token header", List.of(), "missing_signature"),
            Arguments.of("an empty token", List.of(""), "missing_signature"),
            Arguments.of("two token headers", List.of(SECRET, SECRET), "malformed_signature"));
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource("tokenCases")
    void decidesEachTokenCase(String description, List<String> values, String rejection) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (!values.isEmpty()) {
            headers.put("X-Gitlab-Token", values);
        }
        WebhookVerdict verdict = tokenVerifier().verify(request(headers, BODY));
        if (rejection == null) {
            assertThat(verdict).isInstanceOf(WebhookVerdict.Accepted.class);
        } else {
            assertThat(verdict).isEqualTo(WebhookVerdict.rejected(rejection));
        }
    }

    @Test
    void theSecretTokenSchemeDoesNotProtectTheBody() {
        // GitLab's classic scheme sends the secret itself; the body is not covered. Operators who need integrity
        // and replay protection configure a GitLab signing token (whsec_) instead.
        assertThat(tokenVerifier().verify(request(tokenHeaders(SECRET), "{\"changed\":true}".getBytes())))
            .isInstanceOf(WebhookVerdict.Accepted.class);
    }

    @Test
    void acceptsAnEmptyBodyWithTheRightToken() {
        assertThat(tokenVerifier().verify(request(Map.of("X-Gitlab-Token", List.of(SECRET)), new byte[0])))
            .isInstanceOf(WebhookVerdict.Accepted.class);
    }

    @Test
    void takesTheIdempotencyKeyAsDeliveryIdBeforeTheEventAndWebhookUuids() {
        Map<String, List<String>> headers = new HashMap<>(tokenHeaders(SECRET));
        WebhookVerifier verifier = tokenVerifier();
        assertThat(verifier.verify(request(headers, BODY)))
            .isEqualTo(WebhookVerdict.accepted(Optional.of("e-uuid"), Optional.of("Push Hook")));
        headers.put("Idempotency-Key", List.of("idem-1"));
        assertThat(verifier.verify(request(headers, BODY)))
            .isEqualTo(WebhookVerdict.accepted(Optional.of("idem-1"), Optional.of("Push Hook")));
        headers.remove("Idempotency-Key");
        headers.remove("X-Gitlab-Event-UUID");
        assertThat(verifier.verify(request(headers, BODY)))
            .isEqualTo(WebhookVerdict.accepted(Optional.of("w-uuid"), Optional.of("Push Hook")));
    }

    @Test
    void relaysGitlabEventHeadersButNeitherTokenNorStandardWebhookHeaders() {
        assertThat(verifier().relayedHeaders()).containsExactlyInAnyOrder("x-gitlab-event", "x-gitlab-instance",
            "x-gitlab-webhook-uuid", "x-gitlab-event-uuid", "idempotency-key", "user-agent")
            .doesNotContain("webhook-id", "webhook-timestamp");
    }

    @Test
    void injectsTheTokenAsBearerAndClonesAsOauth2() throws Exception {
        ApiCredentials credentials = (ApiCredentials) configured();
        assertThat(credentials.authHeaders(ApiTarget.none())).isEqualTo(Map.of("Authorization", "Bearer glpat-abc"));
        CloneCredential clone = credentials.cloneCredential(ApiTarget.none());
        assertThat(clone.username()).isEqualTo("oauth2");
        assertThat(clone.password().reveal()).isEqualTo("glpat-abc");
    }

    @Test
    void sendsGraphqlToTheWebUrlsApiGraphql() {
        AppSettings app = ConfigTrees.app("gitlab", "gl", "https://gitlab.acme.example/", "https://gitlab.acme.example/api/v4",
            SECRET);
        GraphqlApi graphql = (GraphqlApi) factory().configure(app,
            ConfigTrees.section(KEY, validSection(), new ProblemList()), new ProblemList());
        assertThat(graphql.graphqlEndpoint()).isEqualTo(URI.create("https://gitlab.acme.example/api/graphql"));
    }

    @Test
    void reportsAMissingSectionAsAMissingToken() {
        ProblemList problems = new ProblemList();
        VcsProvider provider = factory().configure(app(), ConfigTrees.absent(KEY, problems), problems);
        assertThat(problems.lines()).containsExactly(KEY + ".token: must not be empty");
        assertThat(provider).isNotInstanceOf(WebhookVerifier.class);
    }

    @Test
    void reportsAnEmptyToken() {
        ProblemList problems = new ProblemList();
        factory().configure(app(), ConfigTrees.section(KEY, Map.of("token", ""), problems), problems);
        assertThat(problems.lines()).containsExactly(KEY + ".token: must not be empty");
    }

    @Test
    void reportsAWhsecWebhookSecretThatIsNotBase64OrTooShort() {
        for (String secret : List.of("whsec_not base64!", "whsec_" + "c2hvcnQ=")) {
            ProblemList problems = new ProblemList();
            AppSettings app = new AppSettings("acme", "gl", "gitlab", URI.create("https://gitlab.example"),
                URI.create("https://gitlab.example/api/v4"), Secret.of(secret), Optional.empty(), "installations[0].apps[0]");
            factory().configure(app, ConfigTrees.section(KEY, validSection(), problems), problems);
            assertThat(problems.lines()).singleElement().asString().startsWith("installations[0].apps[0].webhookSecret: a whsec_")
                .doesNotContain(secret);
        }
    }

    @Test
    void offersOAuthLoginOnlyWhenTheAppHasAnOAuthClient() {
        assertThat(configured()).isInstanceOf(OAuthLogin.class);
        AppSettings withoutOauth = new AppSettings("acme", "gl", "gitlab", URI.create("https://gitlab.example"),
            URI.create("https://gitlab.example/api/v4"), Secret.of(SECRET), Optional.empty(), "installations[0].apps[0]");
        assertThat(tokenVerifier()).isNotInstanceOf(OAuthLogin.class);
        assertThat(factory().configure(withoutOauth, ConfigTrees.section(KEY, validSection(), new ProblemList()),
            new ProblemList())).isNotInstanceOf(OAuthLogin.class).isInstanceOf(ApiCredentials.class);
    }

    private WebhookVerifier verifier() {
        return (WebhookVerifier) configured();
    }
}
