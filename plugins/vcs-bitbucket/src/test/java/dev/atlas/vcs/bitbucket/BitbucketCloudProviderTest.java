package dev.atlas.vcs.bitbucket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.VcsProviderContract;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BitbucketCloudProviderTest extends VcsProviderContract {
    private static final String KEY = "installations[0].apps[0].bitbucket";

    @Override
    protected VcsProviderFactory factory() {
        return new BitbucketCloudVcsProviderFactory();
    }

    @Override
    protected String expectedId() {
        return "bitbucket";
    }

    @Override
    protected Map<String, Object> validSection() {
        return Map.of("token", "ATCTT3x-cloud");
    }

    @Override
    protected Map<String, ApiTarget> apiTargets() {
        return Map.of(
            "/repositories/acme/api/pullrequests/3", new ApiTarget(Optional.empty(), Optional.of("acme"), Optional.of("api")),
            "/repositories/acme/api", new ApiTarget(Optional.empty(), Optional.of("acme"), Optional.of("api")),
            "/user", ApiTarget.none(), "/rest/api/1.0/projects/PRJ/repos/api", ApiTarget.none());
    }

    @Override
    protected Map<String, List<String>> signedHeaders(byte[] body, Secret secret) {
        return Map.of("X-Hub-Signature", List.of(SignatureCases.sign(secret.bytes(), body)),
            "X-Event-Key", List.of("pullrequest:created"),
            "X-Request-UUID", List.of("req-1"),
            "X-Hook-UUID", List.of("hook-1"));
    }

    @ParameterizedTest(name = "{0} → {3}")
    @MethodSource("dev.atlas.vcs.bitbucket.SignatureCases#cases")
    void decidesEachSignatureCase(String description, List<String> values, byte[] body, String rejection) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (!values.isEmpty()) {
            headers.put("X-Hub-Signature", values);
        }
        WebhookVerdict verdict = verifier().verify(request(headers, body));
        if (rejection == null) {
            assertThat(verdict).isInstanceOf(WebhookVerdict.Accepted.class);
        } else {
            assertThat(verdict).isEqualTo(WebhookVerdict.rejected(rejection));
        }
    }

    @Test
    void acceptsAnEmptyBodyWithAValidSignature() {
        byte[] empty = new byte[0];
        assertThat(verifier().verify(request(signedHeaders(empty, Secret.of(SignatureCases.SECRET)), empty)))
            .isInstanceOf(WebhookVerdict.Accepted.class);
    }

    @Test
    void takesTheRequestUuidAsDeliveryIdAndNeverTheHookUuid() {
        Map<String, List<String>> headers = new HashMap<>(signedHeaders(SignatureCases.BODY, Secret.of(SignatureCases.SECRET)));
        assertThat(verifier().verify(request(headers, SignatureCases.BODY)))
            .isEqualTo(WebhookVerdict.accepted(Optional.of("req-1"), Optional.of("pullrequest:created")));
        headers.remove("X-Request-UUID");
        assertThat(verifier().verify(request(headers, SignatureCases.BODY)))
            .isEqualTo(WebhookVerdict.accepted(Optional.empty(), Optional.of("pullrequest:created")));
    }

    @Test
    void relaysCloudEventHeaders() {
        assertThat(verifier().relayedHeaders()).containsExactlyInAnyOrder("x-event-key", "x-hook-uuid", "x-request-uuid",
            "x-attempt-number", "user-agent");
    }

    @Test
    void injectsAnAccessTokenAsBearerAndClonesAsXTokenAuth() throws Exception {
        ApiCredentials credentials = (ApiCredentials) configured();
        assertThat(credentials.authHeaders(ApiTarget.none())).isEqualTo(Map.of("Authorization", "Bearer ATCTT3x-cloud"));
        CloneCredential clone = credentials.cloneCredential(ApiTarget.none());
        assertThat(clone.username()).isEqualTo("x-token-auth");
        assertThat(clone.password().reveal()).isEqualTo("ATCTT3x-cloud");
    }

    @Test
    void injectsAUserNameAndAppPasswordAsBasicAndClonesWithThem() throws Exception {
        ApiCredentials credentials = (ApiCredentials) configure(Map.of("username", "acme-bot", "appPassword", "app-pw"),
            new ProblemList());
        assertThat(credentials.authHeaders(ApiTarget.none())).isEqualTo(Map.of("Authorization", "Basic YWNtZS1ib3Q6YXBwLXB3"));
        CloneCredential clone = credentials.cloneCredential(ApiTarget.none());
        assertThat(clone.username()).isEqualTo("acme-bot");
        assertThat(clone.password().reveal()).isEqualTo("app-pw");
    }

    @Test
    void offersNoGraphqlApiAndShipsNoSchema() {
        assertThat(configured()).isNotInstanceOf(GraphqlApi.class);
        assertThat(((ApiPolicyDefaults) configured()).graphqlSchema()).isEmpty();
    }

    @Test
    void reportsAMissingSectionAsAMissingToken() {
        ProblemList problems = new ProblemList();
        VcsProvider provider = factory().configure(app(), ConfigTrees.absent(KEY, problems), problems);
        assertThat(problems.lines()).containsExactly(KEY + ".token: must not be empty (or give username and appPassword)");
        assertThat(provider).isNotInstanceOf(WebhookVerifier.class);
    }

    @Test
    void reportsAnEmptyToken() {
        ProblemList problems = new ProblemList();
        configure(Map.of("token", ""), problems);
        assertThat(problems.lines()).containsExactly(KEY + ".token: must not be empty");
    }

    @Test
    void reportsATokenTogetherWithAnAppPassword() {
        ProblemList problems = new ProblemList();
        configure(Map.of("token", "t", "username", "u", "appPassword", "p"), problems);
        assertThat(problems.lines()).containsExactly(KEY + ".token: give either token, or username and appPassword, not both");
    }

    @Test
    void reportsAUserNameWithoutAppPassword() {
        ProblemList problems = new ProblemList();
        configure(Map.of("username", "acme-bot"), problems);
        assertThat(problems.lines()).containsExactly(KEY + ".appPassword: must not be empty");
    }

    @Test
    void offersOAuthLoginOnlyWhenTheAppHasAnOAuthClient() {
        assertThat(configured()).isInstanceOf(OAuthLogin.class);
        ProblemList problems = new ProblemList();
        VcsProvider provider = factory().configure(new AppSettings("acme", "bb", "bitbucket",
            URI.create("https://bitbucket.org"), URI.create("https://api.bitbucket.org/2.0"), Secret.of("s"), Optional.empty(),
            "installations[0].apps[0]"), ConfigTrees.section(KEY, validSection(), problems), problems);
        assertThat(provider).isNotInstanceOf(OAuthLogin.class).isInstanceOf(ApiCredentials.class);
    }

    private VcsProvider configure(Map<String, Object> section, ProblemList problems) {
        return factory().configure(app(), ConfigTrees.section(KEY, section, problems), problems);
    }

    private WebhookVerifier verifier() {
        return (WebhookVerifier) configured();
    }
}
