package dev.atlas.vcs.gitea;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.VcsProviderContract;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The provider contract every VCS plugin passes, plus what is particular to Gitea's credentials and config. */
class GiteaProviderTest extends VcsProviderContract {

    @Override
    protected VcsProviderFactory factory() {
        return new GiteaVcsProviderFactory();
    }

    @Override
    protected String expectedId() {
        return "gitea";
    }

    @Override
    protected Map<String, Object> validSection() {
        return Map.of("token", "gt-token-0123");
    }

    @Override
    protected Map<String, ApiTarget> apiTargets() {
        return Map.of(
            "/repos/acme/api/pulls/7/files", new ApiTarget(Optional.empty(), Optional.of("acme"), Optional.of("api")),
            "/repos/acme/api", new ApiTarget(Optional.empty(), Optional.of("acme"), Optional.of("api")),
            "/user", ApiTarget.none(), "/version", ApiTarget.none(), "/repos/acme", ApiTarget.none(),
            "", ApiTarget.none());
    }

    @Override
    protected Map<String, List<String>> signedHeaders(byte[] body, Secret secret) {
        return Map.of("X-Gitea-Signature", List.of(GiteaSignatures.sign(secret.reveal(), body)),
            "X-Gitea-Event", List.of("push"), "X-Gitea-Delivery", List.of("f6266f16-1bf3-46a5-9ea4-602e06ead473"));
    }

    private ProblemList configure(Map<String, ?> section) {
        ProblemList problems = new ProblemList();
        factory().configure(app(), ConfigTrees.section("installations[0].apps[0].gitea", section, problems), problems);
        return problems;
    }

    @Test
    void injectsTheTokenInGiteasTokenScheme() throws Exception {
        assertThat(((ApiCredentials) configured()).authHeaders(ApiTarget.none()))
            .containsExactly(Map.entry("Authorization", "token gt-token-0123"));
    }

    @Test
    void clonesWithTheTokenAsPassword() throws Exception {
        CloneCredential credential = ((ApiCredentials) configured()).cloneCredential(ApiTarget.none());
        assertThat(credential.username()).isEqualTo("oauth2");
        assertThat(credential.password().reveal()).isEqualTo("gt-token-0123");
    }

    @Test
    void offersEveryCapabilityWhenTheAppHasAnOAuthClient() {
        assertThat(configured()).isInstanceOf(WebhookVerifier.class).isInstanceOf(ApiCredentials.class)
            .isInstanceOf(ApiPolicyDefaults.class).isInstanceOf(OAuthLogin.class);
    }

    @Test
    void servesThePackedPolicyAndNoGraphqlSchema() {
        ApiPolicyDefaults defaults = (ApiPolicyDefaults) configured();
        assertThat(defaults.defaultPolicy()).contains("id: pull-files-list").contains("enabled: false");
        assertThat(defaults.graphqlSchema()).isEmpty();
    }

    @Test
    void offersNoGraphqlApi() {
        assertThat(configured()).isNotInstanceOf(GraphqlApi.class).isInstanceOf(ApiCredentials.class);
    }

    @Test
    void reportsAMissingSectionByItsTokenKey() {
        ProblemList problems = new ProblemList();
        VcsProvider provider = factory().configure(app(), ConfigTrees.absent("installations[0].apps[0].gitea", problems),
            problems);
        assertThat(problems.lines()).containsExactly("installations[0].apps[0].gitea.token: must not be empty");
        assertThat(provider).isNotInstanceOf(ApiCredentials.class).isNotInstanceOf(WebhookVerifier.class);
    }

    @Test
    void reportsAnEmptyTokenWithoutAnyOtherProblem() {
        assertThat(configure(Map.of("token", " ")).lines())
            .containsExactly("installations[0].apps[0].gitea.token: must not be empty");
    }

    @Test
    void refusesATokenThatWouldBreakTheHeaderWithoutPrintingIt() {
        List<String> lines = configure(Map.of("token", "abc\r\nX-Evil: 1")).lines();
        assertThat(lines).containsExactly("installations[0].apps[0].gitea.token: must not contain spaces or control characters");
        assertThat(String.join("\n", lines)).doesNotContain("abc").doesNotContain("Evil");
    }

    @Test
    void reportsEveryUnknownKeyAndTheMissingToken() {
        assertThat(configure(Map.of("tokn", "x", "appId", "1")).lines()).hasSize(3)
            .anySatisfy(l -> assertThat(l).startsWith("installations[0].apps[0].gitea.tokn: unknown key"))
            .anySatisfy(l -> assertThat(l).startsWith("installations[0].apps[0].gitea.appId: unknown key"))
            .contains("installations[0].apps[0].gitea.token: must not be empty");
    }
}
