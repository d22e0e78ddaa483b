package dev.atlas.vcs.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthClientSettings;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsUser;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.TestHost;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OAuth login against an in-process fake of github.com (web at the root, API under {@code /api/v3}). */
class GithubLoginTest {
    private static final URI CALLBACK = URI.create("https://atlas.acme.example/auth/callback/gh-main");
    private static final String CODE = "code-4f2a";

    private final WireMockServer github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private VcsProvider provider;

    @BeforeEach
    void start() throws Exception {
        github.start();
        AppSettings app = new AppSettings("acme", "gh-main", "github", URI.create(github.baseUrl()),
            URI.create(github.baseUrl() + "/api/v3"), Secret.of("hook"),
            Optional.of(new OAuthClientSettings("Iv1.abc", Secret.of("oauth-client-secret"))), "installations[0].apps[0]");
        ProblemList problems = new ProblemList();
        provider = new GithubVcsProviderFactory().configure(app, ConfigTrees.section("installations[0].apps[0].github",
            Map.of("appId", "1", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)), problems), problems);
        provider.open(TestHost.create());
    }

    @AfterEach
    void stop() {
        provider.close();
        github.stop();
    }

    private OAuthLogin login() {
        return (OAuthLogin) provider;
    }

    private void tokenAnswers(String json) {
        github.stubFor(post(urlEqualTo("/login/oauth/access_token")).willReturn(okJson(json)));
    }

    private void profile(String user, String emails) {
        github.stubFor(get(urlEqualTo("/api/v3/user")).willReturn(okJson(user)));
        github.stubFor(get(urlEqualTo("/api/v3/user/emails")).willReturn(okJson(emails)));
    }

    @Test
    void sendsTheBrowserToGithubsAuthorizePageWithStateAndScopes() {
        URI url = login().authorizeUrl(CALLBACK, "st.ate-1");
        assertThat(url.toString()).isEqualTo(github.baseUrl() + "/login/oauth/authorize?client_id=Iv1.abc"
            + "&redirect_uri=https%3A%2F%2Fatlas.acme.example%2Fauth%2Fcallback%2Fgh-main&state=st.ate-1"
            + "&scope=read%3Auser%20user%3Aemail");
    }

    @Test
    void exchangesTheCodeAndReadsTheVerifiedPrimaryEmail() throws Exception {
        tokenAnswers("{\"access_token\":\"gho_user\",\"token_type\":\"bearer\",\"scope\":\"read:user,user:email\"}");
        profile("{\"id\":583231,\"login\":\"octocat\",\"name\":\"The Octocat\",\"email\":null}",
            "[{\"email\":\"other@example.com\",\"primary\":false,\"verified\":true},"
                + "{\"email\":\"octocat@github.com\",\"primary\":true,\"verified\":true}]");

        VcsUser user = login().exchange(CODE, CALLBACK);

        assertThat(user).isEqualTo(new VcsUser("583231", "octocat", Optional.of("The Octocat"),
            Optional.of("octocat@github.com"), true));
        github.verify(postRequestedFor(urlEqualTo("/login/oauth/access_token"))
            .withHeader("Accept", equalTo("application/json"))
            .withRequestBody(containing("client_id=Iv1.abc"))
            .withRequestBody(containing("client_secret=oauth-client-secret"))
            .withRequestBody(containing("code=" + CODE))
            .withRequestBody(containing("redirect_uri=https%3A%2F%2Fatlas.acme.example%2Fauth%2Fcallback%2Fgh-main")));
        github.verify(getRequestedFor(urlEqualTo("/api/v3/user")).withHeader("Authorization", equalTo("Bearer gho_user")));
    }

    @Test
    void marksAnUnverifiedPrimaryEmailAsUnverified() throws Exception {
        tokenAnswers("{\"access_token\":\"gho_user\"}");
        profile("{\"id\":1,\"login\":\"u\"}", "[{\"email\":\"u@example.com\",\"primary\":true,\"verified\":false}]");
        VcsUser user = login().exchange(CODE, CALLBACK);
        assertThat(user.email()).contains("u@example.com");
        assertThat(user.emailVerified()).isFalse();
        assertThat(user.name()).isEmpty();
    }

    @Test
    void fallsBackToTheUnverifiedPublicEmailWhenEmailsMayNotBeListed() throws Exception {
        tokenAnswers("{\"access_token\":\"ghu_user\"}");
        github.stubFor(get(urlEqualTo("/api/v3/user")).willReturn(okJson("{\"id\":1,\"login\":\"u\",\"email\":\"pub@x.example\"}")));
        github.stubFor(get(urlEqualTo("/api/v3/user/emails")).willReturn(aResponse().withStatus(403)));
        VcsUser user = login().exchange(CODE, CALLBACK);
        assertThat(user.email()).contains("pub@x.example");
        assertThat(user.emailVerified()).isFalse();
    }

    @Test
    void reportsAnErrorObjectInsteadOfATokenWithoutEchoingTheCode() {
        tokenAnswers("{\"error\":\"bad_verification_code\",\"error_description\":\"The code passed is incorrect or expired.\"}");
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("bad_verification_code").hasMessageNotContaining(CODE)
            .hasMessageNotContaining("oauth-client-secret");
    }

    @Test
    void reportsAnErrorStatusOfTheCodeExchange() {
        github.stubFor(post(urlEqualTo("/login/oauth/access_token")).willReturn(aResponse().withStatus(502)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class).hasMessageContaining("502");
    }

    @Test
    void reportsAnAnswerWithoutAccessToken() {
        tokenAnswers("{\"token_type\":\"bearer\"}");
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class);
    }

    @Test
    void reportsAProfileErrorWithoutTheUserToken() {
        tokenAnswers("{\"access_token\":\"gho_secret_user_token\"}");
        github.stubFor(get(urlEqualTo("/api/v3/user")).willReturn(aResponse().withStatus(401)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("401").hasMessageNotContaining("gho_secret_user_token");
    }

    @Test
    void reportsAnEmailListErrorOtherThanForbidden() {
        tokenAnswers("{\"access_token\":\"gho_user\"}");
        github.stubFor(get(urlEqualTo("/api/v3/user")).willReturn(okJson("{\"id\":1,\"login\":\"u\"}")));
        github.stubFor(get(urlEqualTo("/api/v3/user/emails")).willReturn(aResponse().withStatus(500)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class).hasMessageContaining("500");
    }

    @Test
    void reportsAProfileWithoutId() {
        tokenAnswers("{\"access_token\":\"gho_user\"}");
        profile("{\"login\":\"u\"}", "[]");
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class);
    }

    @Test
    void reportsAnUnreachableGithub() {
        github.stubFor(post(urlEqualTo("/login/oauth/access_token")).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("could not be reached");
    }
}
