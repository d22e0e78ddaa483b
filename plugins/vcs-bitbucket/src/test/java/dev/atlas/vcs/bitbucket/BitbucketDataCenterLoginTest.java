package dev.atlas.vcs.bitbucket;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
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

/** OAuth login against an in-process fake of Bitbucket Data Center (REST API under {@code /rest/api/1.0}). */
class BitbucketDataCenterLoginTest {
    private static final URI CALLBACK = URI.create("https://atlas.acme.example/auth/callback/bbdc");
    private static final String CODE = "dc-code-1";
    private static final String JANE = "{\"name\":\"jane.doe\",\"emailAddress\":\"jane@acme.example\",\"id\":101,"
        + "\"displayName\":\"Jane Doe\",\"active\":true,\"slug\":\"jane.doe\"}";

    private final WireMockServer bitbucket = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private VcsProvider provider;

    @BeforeEach
    void start() throws Exception {
        bitbucket.start();
        AppSettings app = new AppSettings("acme", "bbdc", "bitbucket-dc", URI.create(bitbucket.baseUrl()),
            URI.create(bitbucket.baseUrl() + "/rest/api/1.0"), Secret.of("hook"),
            Optional.of(new OAuthClientSettings("dc-client", Secret.of("dc-client-secret"))), "installations[0].apps[0]");
        ProblemList problems = new ProblemList();
        provider = new BitbucketDataCenterVcsProviderFactory().configure(app,
            ConfigTrees.section("installations[0].apps[0].bitbucket", Map.of("token", "t"), problems), problems);
        provider.open(TestHost.create());
        bitbucket.stubFor(post(urlEqualTo("/rest/oauth2/latest/token")).willReturn(okJson("{\"access_token\":\"dc-user\"}")));
    }

    @AfterEach
    void stop() {
        provider.close();
        bitbucket.stop();
    }

    private OAuthLogin login() {
        return (OAuthLogin) provider;
    }

    private void whoami(String name) {
        bitbucket.stubFor(get(urlEqualTo("/plugins/servlet/applinks/whoami"))
            .willReturn(aResponse().withHeader("Content-Type", "text/plain").withBody(name)));
    }

    @Test
    void sendsTheBrowserToTheApplicationLinksAuthorizePage() {
        assertThat(login().authorizeUrl(CALLBACK, "st").toString()).isEqualTo(bitbucket.baseUrl()
            + "/rest/oauth2/latest/authorize?client_id=dc-client&redirect_uri=https%3A%2F%2Fatlas.acme.example%2Fauth%2Fcallback%2Fbbdc"
            + "&response_type=code&state=st&scope=PUBLIC_REPOS");
    }

    @Test
    void exchangesTheCodeAndReadsTheProfileOfWhoeverLoggedIn() throws Exception {
        whoami("jane.doe\n");
        bitbucket.stubFor(get(urlEqualTo("/rest/api/1.0/users/jane.doe")).willReturn(okJson(JANE)));

        VcsUser user = login().exchange(CODE, CALLBACK);

        assertThat(user).isEqualTo(new VcsUser("101", "jane.doe", Optional.of("Jane Doe"), Optional.of("jane@acme.example"),
            false));
        bitbucket.verify(postRequestedFor(urlEqualTo("/rest/oauth2/latest/token"))
            .withRequestBody(containing("grant_type=authorization_code"))
            .withRequestBody(containing("client_id=dc-client"))
            .withRequestBody(containing("client_secret=dc-client-secret"))
            .withRequestBody(containing("code=" + CODE)));
        bitbucket.verify(getRequestedFor(urlEqualTo("/plugins/servlet/applinks/whoami"))
            .withHeader("Authorization", equalTo("Bearer dc-user")));
    }

    @Test
    void findsAUserWhoseSlugDiffersFromTheNameByExactName() throws Exception {
        whoami("Jane@Corp");
        bitbucket.stubFor(get(urlEqualTo("/rest/api/1.0/users/Jane%40Corp")).willReturn(aResponse().withStatus(404)));
        bitbucket.stubFor(get(urlPathEqualTo("/rest/api/1.0/users")).willReturn(okJson("{\"values\":["
            + "{\"name\":\"jane@corp.other\",\"id\":5,\"emailAddress\":\"x@other.example\"},"
            + "{\"name\":\"jane@corp\",\"id\":6,\"displayName\":\"Jane\",\"emailAddress\":\"jane@corp.example\"}]}")));
        VcsUser user = login().exchange(CODE, CALLBACK);
        assertThat(user.id()).isEqualTo("6");
        assertThat(user.email()).contains("jane@corp.example");
    }

    @Test
    void refusesAProfileThatBelongsToSomeoneElse() {
        whoami("jane");
        bitbucket.stubFor(get(urlEqualTo("/rest/api/1.0/users/jane")).willReturn(aResponse().withStatus(404)));
        bitbucket.stubFor(get(urlPathEqualTo("/rest/api/1.0/users")).willReturn(okJson(
            "{\"values\":[{\"name\":\"jane2\",\"id\":7}]}")));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("no profile");
    }

    @Test
    void reportsAFailedWhoami() {
        bitbucket.stubFor(get(urlEqualTo("/plugins/servlet/applinks/whoami")).willReturn(aResponse().withStatus(401)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("401").hasMessageNotContaining("dc-user");
    }

    @Test
    void reportsAnEmptyWhoami() {
        whoami("");
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class);
    }

    @Test
    void reportsARefusedCode() {
        bitbucket.stubFor(post(urlEqualTo("/rest/oauth2/latest/token")).willReturn(aResponse().withStatus(400)
            .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("invalid_grant").hasMessageNotContaining(CODE);
    }
}
