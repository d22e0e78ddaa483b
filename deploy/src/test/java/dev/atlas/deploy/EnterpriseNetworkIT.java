package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atlas.testkit.net.ConnectProxy;
import dev.atlas.testkit.net.HttpsFake;
import dev.atlas.testkit.net.TestPki;
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
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outbound} through {@code bin/atlas run} with the real GitHub plugin and Nomad driver: a GitHub Enterprise
 * Server, the cloud and Nomad behind a private CA, reachable only through an authenticating CONNECT proxy (their
 * {@code .test} names resolve nowhere else). Without {@code outbound.caBundle} every path fails on TLS; with it the
 * VCS API call, the webhook delivery, the GitHub OAuth login and the Nomad health check all succeed, each through
 * the proxy.
 */
class EnterpriseNetworkIT {
    private static final String REDIRECT = "https://asgard.example/cb";
    private static final String PROXY_PASSWORD = "proxy-pw-never-logged";
    private final TestPki pki = TestPki.create("Acme Corporate Root");
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private HttpsFake ghes;
    private HttpsFake cloud;
    private HttpsFake nomad;
    private ConnectProxy proxy;
    private Process atlas;
    private String base;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        ghes = HttpsFake.start(pki.issue("ghes", "ghes.acme.test"))
            .answer("/api/v3/app/installations/99/access_tokens", "{\"token\":\"ghs_minted\",\"expires_at\":\""
                + Instant.now().plus(Duration.ofHours(1)) + "\"}")
            .answer("/api/v3/repos/acme/api/pulls/1", "{\"number\":1}")
            .answer("/login/oauth/access_token", "{\"access_token\":\"gho_1\",\"token_type\":\"bearer\"}")
            .answer("/api/v3/user", "{\"id\":1001,\"login\":\"alice\",\"name\":\"Alice\"}")
            .answer("/api/v3/user/emails", "[{\"email\":\"alice@acme.example\",\"primary\":true,\"verified\":true}]");
        cloud = HttpsFake.start(pki.issue("cloud", "asgard.acme.test")).answer("/services/webhooks/github/", "{}");
        nomad = HttpsFake.start(pki.issue("nomad", "nomad.acme.test"))
            .answer("/v1/status/leader", "\"10.0.0.1:4647\"").answer("/v1/jobs", "[]");
        proxy = ConnectProxy.withCredentials("atlas", PROXY_PASSWORD);
    }

    @AfterEach
    void stop() throws Exception {
        if (atlas != null) {
            atlas.destroy();
            atlas.waitFor(30, TimeUnit.SECONDS);
            assertThat(Distribution.output(atlas)).doesNotContain(PROXY_PASSWORD);
        }
        proxy.close();
        ghes.close();
        cloud.close();
        nomad.close();
    }

    private void startAtlas(boolean withBundle) throws Exception {
        int port = Distribution.freePort();
        base = "http://127.0.0.1:" + port;
        Files.writeString(dir.resolve("gh.pem"), Distribution.rsaPem());
        Files.writeString(dir.resolve("ca.pem"), pki.caPem());
        Files.writeString(dir.resolve("proxy-password"), PROXY_PASSWORD + "\n");
        String yaml = """
            runner: {id: dist-runner, publicUrl: "%1$s", cloudSecret: whsec_c2VjcmV0LWJ5dGVzLWZvci10aGUtY2xvdWQ=}
            server: {host: 127.0.0.1, port: %2$d}
            cloud:
              url: https://asgard.acme.test:%3$d
              deliveryTimeout: 2s
              auth: {hmacSecret: dist-cloud-jwt-secret-long-enough-for-hs256-keys, audience: dist-runner}
            installations:
              - id: acme
                apps:
                  - id: gh-main
                    vcs: github
                    webUrl: https://ghes.acme.test:%4$d
                    apiUrl: https://ghes.acme.test:%4$d/api/v3
                    webhookSecret: hook
                    github: {appId: "12345", installationId: "99", privateKey: "${file:gh.pem}"}
                    oauth: {clientId: c-gh, clientSecret: s-gh}
            webhooks: {spoolDir: spool, maxBackoff: 1s}
            tasks:
              driver: nomad
              nomad: {address: "https://nomad.acme.test:%5$d", token: nomad-token}
            auth:
              clients: [{id: asgard, secret: asgard-secret, redirectUris: ["%6$s"]}]
              signingKeys: keys
            outbound:
              %7$s
              proxy: {url: "%8$s", noProxy: [127.0.0.0/8], username: atlas, password: "${file:proxy-password}"}
            """.formatted(base, port, cloud.port(), ghes.port(), nomad.port(), REDIRECT,
            withBundle ? "caBundle: \"${file:ca.pem}\"" : "", proxy.url());
        Path config = dir.resolve("atlas.yaml");
        Files.writeString(config, yaml);
        atlas = Distribution.start(Map.of(), "run", "--config", config.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/live") == 200);
    }

    private HttpResponse<String> vcsApiCall() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest/repos/acme/api/pulls/1"))
            .header("Authorization", "Bearer " + Distribution.cloudToken()).header("X-App-ID", "gh-main").GET()
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private void sendWebhook() throws Exception {
        byte[] body = "{\"zen\":\"Keep it logically awesome.\"}".getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("hook".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        HttpResponse<String> accepted = Distribution.post(base + "/webhook/github/gh-main", body,
            "Content-Type", "application/json", "X-GitHub-Event", "ping", "X-GitHub-Delivery", "d-" + System.nanoTime(),
            "X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    }

    /** authorize → (GitHub) → callback: the callback makes Atlas exchange the code and read the user at GitHub. */
    private HttpResponse<String> loginCallback() throws Exception {
        HttpResponse<String> authorize = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/authorize?"
            + "response_type=code&client_id=asgard&scope=openid&state=s1&app=gh-main&redirect_uri="
            + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(authorize.statusCode()).as(authorize.body()).isEqualTo(302);
        URI toVcs = URI.create(authorize.headers().firstValue("Location").orElseThrow());
        String state = java.util.Arrays.stream(toVcs.getRawQuery().split("&")).filter(p -> p.startsWith("state="))
            .map(p -> URLDecoder.decode(p.substring(6), StandardCharsets.UTF_8)).findFirst().orElseThrow();
        String cookies = authorize.headers().allValues("Set-Cookie").stream().map(c -> c.split(";", 2)[0])
            .collect(Collectors.joining("; "));
        return http.send(HttpRequest.newBuilder(URI.create(base + "/auth/callback/gh-main?code=vcs-code&state="
            + URLEncoder.encode(state, StandardCharsets.UTF_8))).header("Cookie", cookies).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void everyOutboundPathFailsOnTlsWithoutTheBundle() throws Exception {
        startAtlas(false);
        assertThat(vcsApiCall().statusCode()).isEqualTo(502);
        assertThat(ghes.requests()).isEmpty();

        sendWebhook();
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics().contains("atlas_webhooks_retried_total"));
        assertThat(cloud.requests()).isEmpty();

        HttpResponse<String> callback = loginCallback();
        assertThat(callback.headers().firstValue("Location").orElse("")).doesNotContain("code=");

        assertThat(Distribution.status(base + "/health/ready")).isEqualTo(503);
        assertThat(nomad.requests()).isEmpty();
        // the proxy did let Atlas through: the TLS handshakes behind it failed, as they should
        assertThat(proxy.tunnels()).isNotEmpty();
    }

    @Test
    void everyOutboundPathSucceedsThroughTheProxyWithTheBundle() throws Exception {
        startAtlas(true);
        HttpResponse<String> api = vcsApiCall();
        assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
        assertThat(ghes.requests()).contains("POST /api/v3/app/installations/99/access_tokens",
            "GET /api/v3/repos/acme/api/pulls/1");

        sendWebhook();
        await().atMost(Duration.ofSeconds(30)).until(() -> cloud.requests().contains(
            "POST /services/webhooks/github/"));

        HttpResponse<String> callback = loginCallback();
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
        assertThat(callback.headers().firstValue("Location").orElseThrow()).startsWith(REDIRECT + "?code=");
        assertThat(ghes.requests()).contains("POST /login/oauth/access_token", "GET /api/v3/user");

        await().atMost(Duration.ofSeconds(30)).until(() -> Distribution.status(base + "/health/ready") == 200);
        assertThat(nomad.requests()).contains("GET /v1/status/leader");

        List<String> tunnels = proxy.tunnels();
        assertThat(tunnels).contains("ghes.acme.test:" + ghes.port(), "asgard.acme.test:" + cloud.port(),
            "nomad.acme.test:" + nomad.port());
        assertThat(proxy.refused()).as("the first CONNECT of each connection meets the 407 challenge").isNotEmpty();
    }
}
