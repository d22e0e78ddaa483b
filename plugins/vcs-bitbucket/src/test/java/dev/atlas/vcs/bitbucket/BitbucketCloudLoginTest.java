package dev.atlas.vcs.bitbucket;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OAuth login against an in-process fake of bitbucket.org (web at the root, API under {@code /2.0}). */
class BitbucketCloudLoginTest {
    private static final URI CALLBACK = URI.create("https://atlas.acme.example/auth/callback/bb");
    private static final String CODE = "code-77aa";
    private static final String USER = "{\"uuid\":\"{d301aafa-d676-4ee0-88be-962be7417567}\",\"username\":\"jdoe\","
        + "\"display_name\":\"Jane Doe\"}";

    private final WireMockServer bitbucket = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private VcsProvider provider;

    @BeforeEach
    void start() throws Exception {
        bitbucket.start();
        AppSettings app = new AppSettings("acme", "bb", "bitbucket", URI.create(bitbucket.baseUrl()),
            URI.create(bitbucket.baseUrl() + "/2.0"), Secret.of("hook"),
            Optional.of(new OAuthClientSettings("consumer-key", Secret.of("consumer-secret"))), "installations[0].apps[0]");
        ProblemList problems = new ProblemList();
        provider = new BitbucketCloudVcsProviderFactory().configure(app,
            ConfigTrees.section("installations[0].apps[0].bitbucket", Map.of("token", "t"), problems), problems);
        provider.open(TestHost.create());
    }

    @AfterEach
    void stop() {
        provider.close();
        bitbucket.stop();
    }

    private OAuthLogin login() {
        return (OAuthLogin) provider;
    }

    @Test
    void sendsTheBrowserToTheConsumersAuthorizePage() {
        assertThat(login().authorizeUrl(CALLBACK, "st").toString())
            .isEqualTo(bitbucket.baseUrl() + "/site/oauth2/authorize?client_id=consumer-key&response_type=code&state=st");
    }

    @Test
    void exchangesTheCodeWithBasicClientAuthAndReadsTheConfirmedPrimaryEmail() throws Exception {
        bitbucket.stubFor(post(urlEqualTo("/site/oauth2/access_token")).willReturn(okJson("{\"access_token\":\"bb-user\"}")));
        bitbucket.stubFor(get(urlEqualTo("/2.0/user")).willReturn(okJson(USER)));
        bitbucket.stubFor(get(urlEqualTo("/2.0/user/emails")).willReturn(okJson("{\"values\":["
            + "{\"email\":\"old@acme.example\",\"is_primary\":false,\"is_confirmed\":true},"
            + "{\"email\":\"jane@acme.example\",\"is_primary\":true,\"is_confirmed\":true}]}")));

        VcsUser user = login().exchange(CODE, CALLBACK);

        assertThat(user).isEqualTo(new VcsUser("{d301aafa-d676-4ee0-88be-962be7417567}", "jdoe", Optional.of("Jane Doe"),
            Optional.of("jane@acme.example"), true));
        String basic = "Basic " + Base64.getEncoder().encodeToString("consumer-key:consumer-secret".getBytes(StandardCharsets.UTF_8));
        bitbucket.verify(postRequestedFor(urlEqualTo("/site/oauth2/access_token"))
            .withHeader("Authorization", equalTo(basic))
            .withRequestBody(equalTo("grant_type=authorization_code&code=" + CODE).or(
                equalTo("code=" + CODE + "&grant_type=authorization_code"))));
        bitbucket.verify(getRequestedFor(urlEqualTo("/2.0/user/emails")).withHeader("Authorization", equalTo("Bearer bb-user")));
    }

    @Test
    void marksAnUnconfirmedPrimaryEmailUnverified() throws Exception {
        bitbucket.stubFor(post(urlEqualTo("/site/oauth2/access_token")).willReturn(okJson("{\"access_token\":\"bb-user\"}")));
        bitbucket.stubFor(get(urlEqualTo("/2.0/user")).willReturn(okJson(USER)));
        bitbucket.stubFor(get(urlEqualTo("/2.0/user/emails")).willReturn(okJson(
            "{\"values\":[{\"email\":\"jane@acme.example\",\"is_primary\":true,\"is_confirmed\":false}]}")));
        assertThat(login().exchange(CODE, CALLBACK).emailVerified()).isFalse();
    }

    @Test
    void logsInWithoutEmailWhenTheConsumerMayNotReadEmails() throws Exception {
        bitbucket.stubFor(post(urlEqualTo("/site/oauth2/access_token")).willReturn(okJson("{\"access_token\":\"bb-user\"}")));
        bitbucket.stubFor(get(urlEqualTo("/2.0/user")).willReturn(okJson(USER)));
        bitbucket.stubFor(get(urlEqualTo("/2.0/user/emails")).willReturn(aResponse().withStatus(403)));
        VcsUser user = login().exchange(CODE, CALLBACK);
        assertThat(user.email()).isEmpty();
        assertThat(user.emailVerified()).isFalse();
    }

    @Test
    void reportsARefusedCodeByItsOAuthError() {
        bitbucket.stubFor(post(urlEqualTo("/site/oauth2/access_token")).willReturn(aResponse().withStatus(400)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"The code has expired\"}")));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("invalid_grant").hasMessageNotContaining(CODE).hasMessageNotContaining("consumer-secret");
    }

    @Test
    void reportsAProfileError() {
        bitbucket.stubFor(post(urlEqualTo("/site/oauth2/access_token")).willReturn(okJson("{\"access_token\":\"bb-user\"}")));
        bitbucket.stubFor(get(urlEqualTo("/2.0/user")).willReturn(aResponse().withStatus(500)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("500").hasMessageNotContaining("bb-user");
    }

    @Test
    void reportsAnUnreachableBitbucket() {
        bitbucket.stubFor(post(urlEqualTo("/site/oauth2/access_token")).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        assertThatThrownBy(() -> login().exchange(CODE, CALLBACK)).isInstanceOf(LoginException.class)
            .hasMessageContaining("could not be reached");
    }
}
