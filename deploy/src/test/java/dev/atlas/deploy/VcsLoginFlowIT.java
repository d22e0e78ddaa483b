package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole login through {@code bin/atlas run} with the real VCS plugins, one app per VCS, against fakes of each
 * VCS's documented OAuth and profile endpoints: authorize → the VCS → callback → code → token → userinfo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VcsLoginFlowIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REDIRECT = "https://asgard.example/cb";
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private HttpServer vcs;
    private Process atlas;
    private String base;
    private Path config;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("/github/login/oauth/access_token", "{\"access_token\":\"gho_1\",\"token_type\":\"bearer\"}");
        answers.put("/github/api/user", "{\"id\":1001,\"login\":\"alice\",\"name\":\"Alice Hub\"}");
        answers.put("/github/api/user/emails", "[{\"email\":\"alice@hub.example\",\"primary\":true,\"verified\":true}]");
        answers.put("/gitlab/oauth/token", "{\"access_token\":\"gl_1\",\"token_type\":\"Bearer\"}");
        answers.put("/gitlab/api/user", "{\"id\":2002,\"username\":\"alice\",\"name\":\"Alice Lab\","
            + "\"email\":\"alice@lab.example\",\"confirmed_at\":\"2024-01-01T00:00:00Z\"}");
        answers.put("/bitbucket/site/oauth2/access_token", "{\"access_token\":\"bb_1\",\"token_type\":\"bearer\"}");
        answers.put("/bitbucket/api/user", "{\"uuid\":\"{0b0e1a2c-1111-2222-3333-444455556666}\",\"username\":\"alice\","
            + "\"display_name\":\"Alice Cloud\"}");
        answers.put("/bitbucket/api/user/emails", "{\"values\":[{\"email\":\"alice@cloud.example\",\"is_primary\":true,"
            + "\"is_confirmed\":true}]}");
        answers.put("/bbdc/rest/oauth2/latest/token", "{\"access_token\":\"dc_1\",\"token_type\":\"bearer\"}");
        answers.put("/bbdc/plugins/servlet/applinks/whoami", "alice");
        answers.put("/bbdc/api/users/alice", "{\"id\":3003,\"name\":\"alice\",\"slug\":\"alice\","
            + "\"displayName\":\"Alice DC\",\"emailAddress\":\"alice@dc.example\"}");
        vcs = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        vcs.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String answer = answers.get(exchange.getRequestURI().getPath());
            byte[] body = (answer == null ? "{\"message\":\"Not Found\"}" : answer).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", answer != null && answer.equals("alice")
                ? "text/plain" : "application/json");
            exchange.sendResponseHeaders(answer == null ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        vcs.start();
        String fake = "http://127.0.0.1:" + vcs.getAddress().getPort();
        int port = Distribution.freePort();
        base = "http://127.0.0.1:" + port;
        Files.writeString(dir.resolve("gh.pem"), Distribution.rsaPem());
        config = dir.resolve("atlas.yaml");
        Files.writeString(config, """
            runner: {id: login-runner, publicUrl: "%1$s", cloudSecret: whsec_c2VjcmV0}
            server: {host: 127.0.0.1, port: %2$d}
            cloud:
              url: https://asgard.example
              auth: {hmacSecret: dist-cloud-jwt-secret-long-enough-for-hs256-keys, audience: dist-runner}
            installations:
              - id: acme
                apps:
                  - {id: gh, vcs: github, webUrl: "%3$s/github", apiUrl: "%3$s/github/api", webhookSecret: h,
                     github: {appId: "1", privateKey: "${file:gh.pem}"}, oauth: {clientId: c-gh, clientSecret: s-gh}}
                  - {id: gl, vcs: gitlab, webUrl: "%3$s/gitlab", apiUrl: "%3$s/gitlab/api", webhookSecret: h,
                     gitlab: {token: t}, oauth: {clientId: c-gl, clientSecret: s-gl}}
                  - {id: bb, vcs: bitbucket, webUrl: "%3$s/bitbucket", apiUrl: "%3$s/bitbucket/api", webhookSecret: h,
                     bitbucket: {token: t}, oauth: {clientId: c-bb, clientSecret: s-bb}}
                  - {id: bbdc, vcs: bitbucket-dc, webUrl: "%3$s/bbdc", apiUrl: "%3$s/bbdc/api", webhookSecret: h,
                     bitbucket: {token: t}, oauth: {clientId: c-dc, clientSecret: s-dc}}
            webhooks: {spoolDir: spool}
            tasks: {driver: local}
            auth:
              clients:
                - {id: asgard, secret: asgard-secret, redirectUris: ["%4$s"]}
              signingKeys: keys
            """.formatted(base, port, fake, REDIRECT));
        startAtlas();
    }

    private void startAtlas() {
        atlas = Distribution.start(Map.of(), "run", "--config", config.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);
    }

    @AfterAll
    void stop() throws Exception {
        atlas.destroy();
        atlas.waitFor(30, TimeUnit.SECONDS);
        vcs.stop(0);
    }

    private static Map<String, String> query(URI uri) {
        return java.util.Arrays.stream(uri.getRawQuery().split("&")).map(p -> p.split("=", 2))
            .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8),
                (a, b) -> a));
    }

    private static String cookies(HttpResponse<?> response) {
        List<String> set = response.headers().allValues("Set-Cookie");
        return set.stream().map(c -> c.split(";", 2)[0]).collect(Collectors.joining("; "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "gh, github, /github/login/oauth/authorize, 1001, alice@hub.example",
        "gl, gitlab, /gitlab/oauth/authorize, 2002, alice@lab.example",
        "bb, bitbucket, /bitbucket/site/oauth2/authorize, '{0b0e1a2c-1111-2222-3333-444455556666}', alice@cloud.example",
        "bbdc, bitbucket-dc, /bbdc/rest/oauth2/latest/authorize, 3003, alice@dc.example"
    })
    void logsAUserInThroughEachVcsAndIssuesTokensWithTheirClaims(String app, String vcsId, String authorizePath,
        String userId, String email) throws Exception {
        String clientState = "state-" + app;
        HttpResponse<String> authorize = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/authorize?"
            + "response_type=code&client_id=asgard&scope=openid%20email&state=" + clientState + "&app=" + app
            + "&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8))).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(authorize.statusCode()).as(authorize.body()).isEqualTo(302);
        URI toVcs = URI.create(authorize.headers().firstValue("Location").orElseThrow());
        assertThat(toVcs.getPath()).isEqualTo(authorizePath);
        String atlasState = query(toVcs).get("state");
        assertThat(atlasState).isNotBlank().isNotEqualTo(clientState);

        HttpResponse<String> callback = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/callback/" + app
            + "?code=vcs-code&state=" + URLEncoder.encode(atlasState, StandardCharsets.UTF_8)))
            .header("Cookie", cookies(authorize)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
        URI back = URI.create(callback.headers().firstValue("Location").orElseThrow());
        assertThat(back.toString()).startsWith(REDIRECT + "?");
        assertThat(query(back)).containsEntry("state", clientState);
        assertThat(callback.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
            .contains("HttpOnly").contains("Secure").containsIgnoringCase("SameSite=Lax"));

        String form = "grant_type=authorization_code&code=" + URLEncoder.encode(query(back).get("code"),
            StandardCharsets.UTF_8) + "&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8);
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("asgard:asgard-secret"
                .getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        JsonNode tokens = JSON.readTree(token.body());
        assertThat(tokens.path("id_token").asText()).isNotBlank();
        assertThat(token.body()).doesNotContain("gho_1", "gl_1", "bb_1", "dc_1");

        HttpResponse<String> userinfo = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/userinfo"))
            .header("Authorization", "Bearer " + tokens.path("access_token").asText()).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(userinfo.statusCode()).as(userinfo.body()).isEqualTo(200);
        JsonNode claims = JSON.readTree(userinfo.body());
        assertThat(claims.path("preferred_username").asText()).isEqualTo("alice");
        assertThat(claims.path("email").asText()).isEqualTo(email);
        assertThat(claims.path("vcs").asText()).isEqualTo(vcsId);
        assertThat(claims.path("app").asText()).isEqualTo(app);
        assertThat(claims.path("installation").asText()).isEqualTo("acme");
        assertThat(claims.path("sub").asText()).contains(userId).contains(app).contains(vcsId);
    }

    /** {@code auth.storage} is {@code file} by default: a refresh token of before a restart of bin/atlas still works. */
    @Test
    void refreshesALoginOfBeforeARestartFromTheDataFolder() throws Exception {
        HttpResponse<String> authorize = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/authorize?"
            + "response_type=code&client_id=asgard&scope=openid&state=s-restart&app=gh&redirect_uri="
            + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8))).GET().build(), HttpResponse.BodyHandlers.ofString());
        String atlasState = query(URI.create(authorize.headers().firstValue("Location").orElseThrow())).get("state");
        HttpResponse<String> callback = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/callback/gh"
            + "?code=vcs-code&state=" + URLEncoder.encode(atlasState, StandardCharsets.UTF_8)))
            .header("Cookie", cookies(authorize)).GET().build(), HttpResponse.BodyHandlers.ofString());
        String code = query(URI.create(callback.headers().firstValue("Location").orElseThrow())).get("code");
        HttpResponse<String> tokens = token("grant_type=authorization_code&code=" + URLEncoder.encode(code,
            StandardCharsets.UTF_8) + "&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8));
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        String refreshToken = JSON.readTree(tokens.body()).path("refresh_token").asText();
        assertThat(config.resolveSibling("data/auth/refresh-family")).isNotEmptyDirectory();

        atlas.destroy();
        assertThat(atlas.waitFor(30, TimeUnit.SECONDS)).isTrue();
        startAtlas();

        HttpResponse<String> refreshed = token("grant_type=refresh_token&refresh_token="
            + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        assertThat(JSON.readTree(refreshed.body()).path("refresh_token").asText()).isNotBlank()
            .isNotEqualTo(refreshToken);
    }

    private HttpResponse<String> token(String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/auth/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("asgard:asgard-secret"
                .getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
