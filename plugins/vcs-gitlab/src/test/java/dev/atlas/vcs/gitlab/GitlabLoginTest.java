package dev.atlas.vcs.gitlab;

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

/** OAuth login against an in-process fake of a self-managed GitLab. */
class GitlabLoginTest {
    private static final URI CALLBACK = URI.create("https://atlas.acme.example/auth/callback/gl-main");
    private static final String CODE = "code-9d1e";

    private final WireMockServer gitlab = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private VcsProvider provider;

    @BeforeEach
    void start() throws Exception {
        gitlab.start();
        AppSettings app = new AppSettings("acme", "gl-main", "gitlab", URI.create(gitlab.baseUrl()),
            URI.create(gitlab.baseUrl() + "/api/v4"), Secret.of("hook"),
            Optional.of(new OAuthClientSettings("gl-client", Secret.of("gl-client-secret"))), "installations[0].apps[0]");
        ProblemList problems = new ProblemList();
        provider = new GitlabVcsProviderFactory().configure(app,
            ConfigTrees.section("installations[0].apps[0].gitlab", Map.of("token", "glpat-x"), problems), problems);
        provider.open(TestHost.create());
    }

    @AfterEach
    void stop() {
        provider.close();
        gitlab.stop();
    }

    private OAuthLogin login() {
        return (OAuthLogin) provider;
    }

    @Test
    void sendsTheBrowserToGitlabsAuthorizePage() {
        assertThat(login().authorizeUrl(CALLBACK, "xyz").toString()).isEqualTo(gitlab.baseUrl()
            + "/oauth/authorize?client_id=gl-client&redirect_uri=https%3A%2F%2Fatlas.acme.example%2Fauth%2Fcallback%2Fgl-main"
            + "&response_type=code&state=xyz&scope=read_user");
    }

    @Test
    void exchangesTheCodeAndReadsAConfirmedUser() throws Exception {
        gitlab.stubFor(post(urlEqualTo("/oauth/token")).willReturn(okJson("{\"access_token\":\"gloas-user\",\"token_type\":\"Bearer\"}")));
        gitlab.stubFor(get(urlEqualTo("/api/v4/user")).willReturn(okJson("{\"id\":7,\"username\":\"jdoe\",\"name\":\"Jane Doe\","
            + "\"email\":\"jane@acme.example\",\"confirmed_at\":\"2024-01-02T03:04:05Z\"}")));

        VcsUser user = login().exchange(CODE, CALLBACK);

        assertThat(user).isEqualTo(new VcsUser("7", "jdoe", Optional.of("Jane Doe"), Optional.of("jane@acme.example"), true));
        gitlab.verify(postRequestedFor(urlEqualTo("/oauth/token"))
            .withRequestBody(containing("grant_type=authorization_code"))
            .withRequestBody(containing("code=" + CODE))
            .withRequestBody(containing("client_id=gl-client"))
            .withRequestBody(containing("client_secret=gl-client-secret"))
            .withRequestBody(containing("redirect_uri=https%3A%2F%2Fatlas.acme.example%2Fauth%2Fcallback%2Fgl-main")));
        gitlab.verify(getRequestedFor(urlEqualTo("/api/v4/user")).withHeader("Authorization", equalTo("Bearer gloas-user")));
    }

    @Test
    void marksTheEmailOfAnUnconfirmedAccountUnverified() throws Exception {
        gitlab.stubFor(post(urlEqualTo("/oauth/token")).willReturn(okJson("{\"access_token\":\"t\"}")));
        gitlab.stubFor(get(urlEqualTo("/api/v4/user")).willReturn(okJson(
            "{\"id\":7,\"username\":\"jdoe\",\"email\":\"jane@acme.example\",\"confirmed_at\":null}")));
        VcsUser user = login().exchange(CODE, CALLBACK);
        assertThat(user.emailVerified()).isFalse();
        assertThat(user.name()).isEmpty();
    }

    @Test
    void reportsARefusedCodeByItsOAuthErrorWithoutEchoingIt() {
        gitlab.stubFor(post(urlEqualTo("/oauth/token")).willReturn(aResponse().withStatus(400)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"The provided authorization grant is invalid\"}")));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("invalid_grant").hasMessageNotContaining(CODE).hasMessageNotContaining("gl-client-secret");
    }

    @Test
    void reportsAnErrorStatusWithoutBody() {
        gitlab.stubFor(post(urlEqualTo("/oauth/token")).willReturn(aResponse().withStatus(503)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class).hasMessageContaining("503");
    }

    @Test
    void reportsAProfileErrorWithoutTheUserToken() {
        gitlab.stubFor(post(urlEqualTo("/oauth/token")).willReturn(okJson("{\"access_token\":\"gloas-secret-user\"}")));
        gitlab.stubFor(get(urlEqualTo("/api/v4/user")).willReturn(aResponse().withStatus(403)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("403").hasMessageNotContaining("gloas-secret-user");
    }

    @Test
    void reportsAnUnreachableGitlab() {
        gitlab.stubFor(post(urlEqualTo("/oauth/token")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("could not be reached");
    }
}
