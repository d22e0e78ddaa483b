package dev.atlas.vcs.github;

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
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.MutableClock;
import dev.atlas.testkit.TestHost;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Installation tokens against an in-process fake of the GitHub API (GHES layout: {@code /api/v3}). */
class GithubCredentialsTest {
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    private static final String MINT_77 = "/api/v3/app/installations/77/access_tokens";

    private final WireMockServer github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private final MutableClock clock = new MutableClock(START);
    private VcsProvider provider;

    @BeforeEach
    void start() throws Exception {
        github.start();
        provider = open(github.baseUrl() + "/api/v3", Map.of());
    }

    @AfterEach
    void stop() {
        provider.close();
        github.stop();
    }

    private VcsProvider open(String apiUrl, Map<String, Object> extra) throws Exception {
        Map<String, Object> section = new HashMap<>(Map.of("appId", "12345", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)));
        section.putAll(extra);
        ProblemList problems = new ProblemList();
        AppSettings app = new AppSettings("acme", "gh-main", "github", URI.create(github.baseUrl()), URI.create(apiUrl),
            Secret.of("hook"), Optional.empty(), "installations[0].apps[0]");
        VcsProvider p = new GithubVcsProviderFactory().configure(app,
            ConfigTrees.section("installations[0].apps[0].github", section, problems), problems);
        assertThat(problems.lines()).isEmpty();
        p.open(new TestHost(clock, Files.createTempDirectory("gh")));
        return p;
    }

    private ApiCredentials credentials() {
        return (ApiCredentials) provider;
    }

    private void tokenAnswer(String path, String token, Instant expiresAt) {
        github.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(201)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"token\":\"" + token + "\",\"expires_at\":\"" + expiresAt + "\"}")));
    }

    private static ApiTarget installation(String id) {
        return new ApiTarget(Optional.of(id), Optional.empty(), Optional.empty());
    }

    private static ApiTarget owner(String owner, String repository) {
        return new ApiTarget(Optional.empty(), Optional.of(owner), Optional.ofNullable(repository));
    }

    @Test
    void authenticatesAsTheAppWithAnRs256JwtGithubAccepts() throws Exception {
        tokenAnswer(MINT_77, "ghs_one", START.plus(Duration.ofHours(1)));
        credentials().authHeaders(installation("77"));

        String authorization = github.findAll(postRequestedFor(urlEqualTo(MINT_77))).get(0).getHeader("Authorization");
        assertThat(authorization).startsWith("Bearer ");
        SignedJWT jwt = SignedJWT.parse(authorization.substring("Bearer ".length()));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) TestKeys.RSA_2048.getPublic()))).isTrue();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("12345");
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(START.minusSeconds(60));
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(START.plus(Duration.ofMinutes(9)));
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
            .isLessThanOrEqualTo(Duration.ofMinutes(10));
        assertThat(github.findAll(postRequestedFor(urlEqualTo(MINT_77))).get(0).getHeader("Accept"))
            .isEqualTo("application/vnd.github+json");
    }

    @Test
    void injectsTheInstallationTokenAsBearerAndForCloning() throws Exception {
        tokenAnswer(MINT_77, "ghs_one", START.plus(Duration.ofHours(1)));
        assertThat(credentials().authHeaders(installation("77"))).isEqualTo(Map.of("Authorization", "Bearer ghs_one"));
        CloneCredential clone = credentials().cloneCredential(installation("77"));
        assertThat(clone.username()).isEqualTo("x-access-token");
        assertThat(clone.password().reveal()).isEqualTo("ghs_one");
    }

    @Test
    void mintsOnceForTwoCallsWhileTheTokenIsFresh() throws Exception {
        tokenAnswer(MINT_77, "ghs_one", START.plus(Duration.ofHours(1)));
        credentials().authHeaders(installation("77"));
        clock.advance(Duration.ofMinutes(54));
        credentials().authHeaders(installation("77"));
        github.verify(1, postRequestedFor(urlEqualTo(MINT_77)));
    }

    @Test
    void mintsAgainWhenTheTokenExpiresWithinFiveMinutes() throws Exception {
        tokenAnswer(MINT_77, "ghs_one", START.plus(Duration.ofHours(1)));
        credentials().authHeaders(installation("77"));
        clock.advance(Duration.ofMinutes(55));
        tokenAnswer(MINT_77, "ghs_two", START.plus(Duration.ofHours(2)));
        assertThat(credentials().authHeaders(installation("77"))).containsEntry("Authorization", "Bearer ghs_two");
        github.verify(2, postRequestedFor(urlEqualTo(MINT_77)));
    }

    @Test
    void keepsOneTokenPerInstallation() throws Exception {
        tokenAnswer(MINT_77, "ghs_77", START.plus(Duration.ofHours(1)));
        tokenAnswer("/api/v3/app/installations/88/access_tokens", "ghs_88", START.plus(Duration.ofHours(1)));
        assertThat(credentials().authHeaders(installation("77"))).containsEntry("Authorization", "Bearer ghs_77");
        assertThat(credentials().authHeaders(installation("88"))).containsEntry("Authorization", "Bearer ghs_88");
        assertThat(credentials().authHeaders(installation("77"))).containsEntry("Authorization", "Bearer ghs_77");
    }

    @Test
    void mintsOnceForConcurrentCallersOfOneInstallation() throws Exception {
        github.stubFor(post(urlEqualTo(MINT_77)).willReturn(aResponse().withStatus(201).withFixedDelay(300)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"token\":\"ghs_one\",\"expires_at\":\"" + START.plus(Duration.ofHours(1)) + "\"}")));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Map<String, String>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<Map<String, String>> call = () -> {
                    go.await();
                    return credentials().authHeaders(installation("77"));
                };
                results.add(pool.submit(call));
            }
            go.countDown();
            for (Future<Map<String, String>> result : results) {
                assertThat(result.get(10, TimeUnit.SECONDS)).containsEntry("Authorization", "Bearer ghs_one");
            }
        } finally {
            pool.shutdownNow();
        }
        github.verify(1, postRequestedFor(urlEqualTo(MINT_77)));
    }

    @Test
    void usesTheConfiguredDefaultInstallationWhenTheCallNamesNone() throws Exception {
        provider.close();
        provider = open(github.baseUrl() + "/api/v3", Map.of("installationId", "77"));
        tokenAnswer(MINT_77, "ghs_default", START.plus(Duration.ofHours(1)));
        assertThat(credentials().authHeaders(owner("octo-org", "hello"))).containsEntry("Authorization", "Bearer ghs_default");
        assertThat(github.findAll(getRequestedFor(urlEqualTo("/api/v3/repos/octo-org/hello/installation")))).isEmpty();
    }

    @Test
    void resolvesTheInstallationFromTheRepositoryOnceAndCachesItPerOwner() throws Exception {
        github.stubFor(get(urlEqualTo("/api/v3/repos/octo-org/hello/installation")).willReturn(okJson("{\"id\":77}")));
        tokenAnswer(MINT_77, "ghs_one", START.plus(Duration.ofHours(1)));
        credentials().authHeaders(owner("octo-org", "hello"));
        credentials().authHeaders(owner("Octo-Org", "other"));
        github.verify(1, getRequestedFor(urlEqualTo("/api/v3/repos/octo-org/hello/installation")));
        String lookupAuth = github.findAll(getRequestedFor(urlEqualTo("/api/v3/repos/octo-org/hello/installation")))
            .get(0).getHeader("Authorization");
        assertThat(SignedJWT.parse(lookupAuth.substring(7)).getJWTClaimsSet().getIssuer()).isEqualTo("12345");
        github.verify(1, postRequestedFor(urlEqualTo(MINT_77)));
    }

    @Test
    void resolvesAnOwnerWithoutRepositoryAsOrganisationThenUser() throws Exception {
        github.stubFor(get(urlEqualTo("/api/v3/orgs/octocat/installation")).willReturn(aResponse().withStatus(404)));
        github.stubFor(get(urlEqualTo("/api/v3/users/octocat/installation")).willReturn(okJson("{\"id\":88}")));
        tokenAnswer("/api/v3/app/installations/88/access_tokens", "ghs_88", START.plus(Duration.ofHours(1)));
        assertThat(credentials().authHeaders(owner("octocat", null))).containsEntry("Authorization", "Bearer ghs_88");
        credentials().authHeaders(owner("octocat", null));
        github.verify(1, getRequestedFor(urlEqualTo("/api/v3/users/octocat/installation")));
    }

    @Test
    void refusesACallThatNamesNeitherInstallationNorOwner() {
        assertThatThrownBy(() -> credentials().authHeaders(ApiTarget.none()))
            .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.unreachable()).isFalse());
    }

    @Test
    void refusesAnInstallationIdThatIsNotANumberWithoutCallingGithub() {
        assertThatThrownBy(() -> credentials().authHeaders(installation("77/../../user")))
            .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.unreachable()).isFalse());
        assertThat(github.getAllServeEvents()).isEmpty();
    }

    @Test
    void refusesAnOwnerThatIsNotAGithubLoginWithoutCallingGithub() {
        assertThatThrownBy(() -> credentials().authHeaders(owner("../orgs", null)))
            .isInstanceOf(CredentialException.class);
        assertThat(github.getAllServeEvents()).isEmpty();
    }

    @Test
    void reportsAnUnknownInstallationAsRefusedNotUnreachable() {
        github.stubFor(post(urlEqualTo(MINT_77)).willReturn(aResponse().withStatus(404)
            .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Not Found\"}")));
        assertThatThrownBy(() -> credentials().authHeaders(installation("77")))
            .isInstanceOfSatisfying(CredentialException.class, e -> {
                assertThat(e.unreachable()).isFalse();
                assertThat(e.getMessage()).contains("404").contains("Not Found");
            });
    }

    @Test
    void reportsAnOwnerWithoutInstallationAsRefused() {
        github.stubFor(get(urlEqualTo("/api/v3/repos/octo-org/hello/installation")).willReturn(aResponse().withStatus(404)));
        assertThatThrownBy(() -> credentials().authHeaders(owner("octo-org", "hello")))
            .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.unreachable()).isFalse());
    }

    @Test
    void reportsA5xxAsUnreachableAndDoesNotCacheTheFailure() throws Exception {
        github.stubFor(post(urlEqualTo(MINT_77)).willReturn(aResponse().withStatus(503)));
        assertThatThrownBy(() -> credentials().authHeaders(installation("77")))
            .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.unreachable()).isTrue());
        tokenAnswer(MINT_77, "ghs_one", START.plus(Duration.ofHours(1)));
        assertThat(credentials().authHeaders(installation("77"))).containsEntry("Authorization", "Bearer ghs_one");
    }

    @Test
    void reportsADroppedConnectionAsUnreachable() {
        github.stubFor(post(urlEqualTo(MINT_77)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertThatThrownBy(() -> credentials().authHeaders(installation("77")))
            .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.unreachable()).isTrue());
    }

    @Test
    void reportsAClosedPortAsUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        provider.close();
        provider = open("http://127.0.0.1:" + port + "/api/v3", Map.of());
        assertThatThrownBy(() -> credentials().authHeaders(installation("77")))
            .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.unreachable()).isTrue());
    }

    @Test
    void neverPutsTheTokenInAnErrorMessage() {
        github.stubFor(post(urlEqualTo(MINT_77)).willReturn(aResponse().withStatus(201)
            .withHeader("Content-Type", "application/json").withBody("{\"token\":\"\"}")));
        assertThatThrownBy(() -> credentials().authHeaders(installation("77")))
            .isInstanceOf(CredentialException.class).hasMessageNotContaining("Bearer");
    }

    @Test
    void sendsGraphqlToApiGithubComOrToTheGhesApiRoot() {
        assertThat(GithubVcsProvider.graphqlEndpoint(URI.create("https://api.github.com")))
            .isEqualTo(URI.create("https://api.github.com/graphql"));
        assertThat(GithubVcsProvider.graphqlEndpoint(URI.create("https://api.github.com/")))
            .isEqualTo(URI.create("https://api.github.com/graphql"));
        assertThat(GithubVcsProvider.graphqlEndpoint(URI.create("https://ghe.example/api/v3")))
            .isEqualTo(URI.create("https://ghe.example/api/graphql"));
        assertThat(GithubVcsProvider.graphqlEndpoint(URI.create("https://ghe.example:8443/api/v3/")))
            .isEqualTo(URI.create("https://ghe.example:8443/api/graphql"));
        assertThat(((GraphqlApi) provider).graphqlEndpoint()).isEqualTo(URI.create(github.baseUrl() + "/api/graphql"));
    }

    @Test
    void refusesToInjectCredentialsBeforeOpen() {
        ProblemList problems = new ProblemList();
        VcsProvider unopened = new GithubVcsProviderFactory().configure(
            new AppSettings("acme", "x", "github", URI.create("https://github.com"), URI.create("https://api.github.com"),
                Secret.of("h"), Optional.empty(), "installations[0].apps[0]"),
            ConfigTrees.section("installations[0].apps[0].github",
                Map.of("appId", "1", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)), problems), problems);
        assertThatThrownBy(() -> ((ApiCredentials) unopened).authHeaders(installation("1")))
            .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sendsTheApiVersionHeader() throws Exception {
        tokenAnswer(MINT_77, "ghs_one", START.plus(Duration.ofHours(1)));
        credentials().authHeaders(installation("77"));
        github.verify(postRequestedFor(urlEqualTo(MINT_77)).withHeader("X-GitHub-Api-Version", equalTo("2022-11-28")));
    }
}
