package dev.atlas.vcs.bitbucket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.VcsProviderContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BitbucketDataCenterProviderTest extends VcsProviderContract {
    private static final String KEY = "installations[0].apps[0].bitbucket";

    @Override
    protected VcsProviderFactory factory() {
        return new BitbucketDataCenterVcsProviderFactory();
    }

    @Override
    protected String expectedId() {
        return "bitbucket-dc";
    }

    @Override
    protected Map<String, Object> validSection() {
        return Map.of("token", "BBDC-http-token");
    }

    @Override
    protected Map<String, ApiTarget> apiTargets() {
        return Map.of(
            "/rest/api/1.0/projects/PRJ/repos/api/pull-requests", new ApiTarget(Optional.empty(), Optional.of("PRJ"), Optional.of("api")),
            "/rest/api/latest/projects/PRJ/repos/api", new ApiTarget(Optional.empty(), Optional.of("PRJ"), Optional.of("api")),
            "/rest/api/1.0/projects/PRJ", ApiTarget.none(), "/repositories/acme/api", ApiTarget.none());
    }

    @Override
    protected Map<String, List<String>> signedHeaders(byte[] body, Secret secret) {
        return Map.of("X-Hub-Signature", List.of(SignatureCases.sign(secret.bytes(), body)),
            "X-Event-Key", List.of("repo:refs_changed"), "X-Request-Id", List.of("dc-req-9"));
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
    void takesTheRequestIdAsDeliveryId() {
        assertThat(verifier().verify(request(signedHeaders(SignatureCases.BODY, Secret.of(SignatureCases.SECRET)),
            SignatureCases.BODY))).isEqualTo(WebhookVerdict.accepted(Optional.of("dc-req-9"), Optional.of("repo:refs_changed")));
    }

    @Test
    void relaysDataCenterEventHeaders() {
        assertThat(verifier().relayedHeaders()).containsExactlyInAnyOrder("x-event-key", "x-request-id", "user-agent");
    }

    @Test
    void injectsTheHttpAccessTokenAsBearer() throws Exception {
        assertThat(((ApiCredentials) configured()).authHeaders(ApiTarget.none()))
            .isEqualTo(Map.of("Authorization", "Bearer BBDC-http-token"));
    }

    @Test
    void clonesWithTheConfiguredUserNameElseXTokenAuth() throws Exception {
        CloneCredential anonymous = ((ApiCredentials) configured()).cloneCredential(ApiTarget.none());
        assertThat(anonymous.username()).isEqualTo("x-token-auth");
        ProblemList problems = new ProblemList();
        CloneCredential named = ((ApiCredentials) configure(Map.of("token", "t", "username", "acme-bot"), problems))
            .cloneCredential(ApiTarget.none());
        assertThat(problems.lines()).isEmpty();
        assertThat(named.username()).isEqualTo("acme-bot");
        assertThat(named.password().reveal()).isEqualTo("t");
    }

    @Test
    void reportsAMissingToken() {
        ProblemList problems = new ProblemList();
        configure(Map.of("username", "acme-bot"), problems);
        assertThat(problems.lines()).containsExactly(KEY + ".token: must not be empty");
    }

    @Test
    void reportsAnAppPasswordAsUnknownOnDataCenter() {
        ProblemList problems = new ProblemList();
        configure(Map.of("token", "t", "appPassword", "p"), problems);
        assertThat(problems.lines()).singleElement().asString().startsWith(KEY + ".appPassword: unknown key");
    }

    private VcsProvider configure(Map<String, Object> section, ProblemList problems) {
        return factory().configure(app(), ConfigTrees.section(KEY, section, problems), problems);
    }

    private WebhookVerifier verifier() {
        return (WebhookVerifier) configured();
    }
}
