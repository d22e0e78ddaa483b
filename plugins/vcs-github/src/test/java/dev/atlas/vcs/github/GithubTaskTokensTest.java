package dev.atlas.vcs.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
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
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.GitAccess;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.MutableClock;
import dev.atlas.testkit.TestHost;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tokens Atlas's git endpoint fetches and pushes a task's repository with (SPEC §6, FACTS F.3): minted per call for
 * that one repository and {@code contents: read|write}, never cached nor shared with the proxy, revoked afterwards.
 */
class GithubTaskTokensTest {
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    private static final String MINT_77 = "/api/v3/app/installations/77/access_tokens";
    private static final String REVOKE = "/api/v3/installation/token";
    private static final ApiTarget TASK = new ApiTarget(Optional.of("77"), Optional.of("octo-org"),
        Optional.of("hello"));

    private final WireMockServer github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private VcsProvider provider;

    @BeforeEach
    void start() throws Exception {
        github.start();
        ProblemList problems = new ProblemList();
        AppSettings app = new AppSettings("acme", "gh-main", "github", URI.create(github.baseUrl()),
            URI.create(github.baseUrl() + "/api/v3"), Secret.of("hook"), Optional.empty(), "installations[0].apps[0]");
        provider = new GithubVcsProviderFactory().configure(app, ConfigTrees.section("installations[0].apps[0].github",
            Map.of("appId", "12345", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)), problems), problems);
        assertThat(problems.lines()).isEmpty();
        provider.open(new TestHost(new MutableClock(START), Files.createTempDirectory("gh")));
    }

    @AfterEach
    void stop() {
        provider.close();
        github.stop();
    }

    private ApiCredentials credentials() {
        return (ApiCredentials) provider;
    }

    private void mintAnswers(String token) {
        github.stubFor(post(urlEqualTo(MINT_77)).willReturn(aResponse().withStatus(201)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"token\":\"" + token + "\",\"expires_at\":\"" + START.plusSeconds(3600) + "\"}")));
    }

    @Test
    void mintsAReadTokenLimitedToTheTasksRepository() throws Exception {
        mintAnswers("ghs_task");
        CloneCredential credential = credentials().cloneCredential(TASK, GitAccess.READ);
        assertThat(credential.username()).isEqualTo("x-access-token");
        assertThat(credential.password().reveal()).isEqualTo("ghs_task");
        github.verify(postRequestedFor(urlEqualTo(MINT_77)).withRequestBody(
            equalToJson("{\"repositories\":[\"hello\"],\"permissions\":{\"contents\":\"read\"}}")));
    }

    @Test
    void mintsAWriteTokenOnlyForAPush() throws Exception {
        mintAnswers("ghs_push");
        credentials().cloneCredential(TASK, GitAccess.WRITE);
        github.verify(postRequestedFor(urlEqualTo(MINT_77)).withRequestBody(
            equalToJson("{\"repositories\":[\"hello\"],\"permissions\":{\"contents\":\"write\"}}")));
    }

    @Test
    void neverCachesATaskTokenNorSharesItWithTheProxy() throws Exception {
        mintAnswers("ghs_task");
        credentials().cloneCredential(TASK, GitAccess.READ);
        credentials().cloneCredential(TASK, GitAccess.READ);
        mintAnswers("ghs_proxy");
        assertThat(credentials().authHeaders(TASK)).containsEntry("Authorization", "Bearer ghs_proxy");
        github.verify(3, postRequestedFor(urlEqualTo(MINT_77)));
        // the proxy's token is the installation-wide one, minted without a body
        assertThat(github.findAll(postRequestedFor(urlEqualTo(MINT_77))).get(2).getBodyAsString()).isEmpty();
    }

    @Test
    void looksUpTheInstallationFromTheRepositoryWhenTheTaskNamesNone() throws Exception {
        github.stubFor(get(urlEqualTo("/api/v3/repos/octo-org/hello/installation")).willReturn(okJson("{\"id\":77}")));
        mintAnswers("ghs_task");
        credentials().cloneCredential(new ApiTarget(Optional.empty(), Optional.of("octo-org"), Optional.of("hello")),
            GitAccess.READ);
        github.verify(1, postRequestedFor(urlEqualTo(MINT_77)));
    }

    @Test
    void refusesATaskTokenWithoutARepositoryWithoutCallingGithub() {
        assertThatThrownBy(() -> credentials().cloneCredential(
            new ApiTarget(Optional.of("77"), Optional.of("octo-org"), Optional.empty()), GitAccess.READ))
            .isInstanceOf(CredentialException.class);
        assertThatThrownBy(() -> credentials().cloneCredential(
            new ApiTarget(Optional.of("77"), Optional.of("octo-org"), Optional.of("..")), GitAccess.READ))
            .isInstanceOf(CredentialException.class);
        assertThat(github.getAllServeEvents()).isEmpty();
    }

    @Test
    void revokesTheTokenWithTheTokenItself() throws Exception {
        mintAnswers("ghs_task");
        github.stubFor(delete(urlEqualTo(REVOKE)).willReturn(aResponse().withStatus(204)));
        CloneCredential credential = credentials().cloneCredential(TASK, GitAccess.READ);
        credentials().revoke(credential);
        github.verify(1, deleteRequestedFor(urlEqualTo(REVOKE))
            .withHeader("Authorization", equalTo("Bearer ghs_task")));
    }

    @Test
    void revokingNeverThrowsWhenGithubFails() throws Exception {
        mintAnswers("ghs_task");
        github.stubFor(delete(urlEqualTo(REVOKE)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        CloneCredential credential = credentials().cloneCredential(TASK, GitAccess.READ);
        credentials().revoke(credential);
        github.verify(1, deleteRequestedFor(urlEqualTo(REVOKE)));
    }
}
