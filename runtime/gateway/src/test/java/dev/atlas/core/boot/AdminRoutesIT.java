package dev.atlas.core.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.core.fakes.FakeCloud;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin recipes of {@code deploy/docs/routes.md} over real HTTP, in one {@code routes.dir}: the webhook route
 * mounted at another path that drops {@code ping} after verification, a header for the cloud on every delivery, one
 * repository denied before {@code proxyForward}, every proxy decision teed to a file with {@code wireTap}, an added
 * endpoint; and neither the request's headers nor {@code Atlas*} headers come back in an answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminRoutesIT {
    private static final String POLICY = """
        version: 1
        rest:
          accept: ["application/json"]
          rules:
            - id: mr-get
              method: GET
              path: /projects/{id:int}/merge_requests/{iid:int}
        """;

    private FakeCloud cloud;
    private RunningAtlas atlas;
    private Path decisions;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cloud = FakeCloud.start();
        decisions = dir.resolve("decisions");
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("recipes.camel.yaml"), recipes(decisions));
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("fake-main.yaml"), POLICY);
        String yaml = TestConfigs.valid(0, cloud.url(), "policies:\n  dir: " + policies + "\nroutes:\n  dir: routes\n")
            .replace("apiUrl: https://vcs.example/api", "apiUrl: " + cloud.url() + "/api");
        atlas = RunningAtlas.start(TestConfigs.write(dir, yaml), Map.of());
    }

    /** The recipes as an admin writes them (the same text as deploy/docs/routes.md). */
    static String recipes(Path decisions) {
        return """
            - route:
                id: webhook-ingress
                from:
                  uri: platform-http:/hooks/{vcs}/{appId}
                  parameters:
                    httpMethodRestrict: POST
                  steps:
                    - process: { ref: webhookApp }
                    - process: { ref: webhookVerify }
                    - filter:
                        simple: "${header.X-Fake-Kind} == 'ping'"
                        steps:
                          - setHeader: { name: CamelHttpResponseCode, constant: 204 }
                          - setBody: { constant: "" }
                          - stop: {}
                    - process: { ref: webhookSpool }
            - route:
                id: webhook-delivery
                routeConfigurationId: atlas-delivery
                from:
                  uri: direct:webhook-delivery
                  steps:
                    - process: { ref: webhookSign }
                    - setHeader: { name: X-Acme-Env, constant: production }
                    - process: { ref: webhookSend }
            - route:
                id: vcs-proxy-rest
                from:
                  uri: platform-http:/vcs/rest
                  parameters:
                    matchOnUriPrefix: true
                    httpMethodRestrict: GET,POST,PATCH,PUT,DELETE
                  steps:
                    - process: { ref: proxyAuthenticate }
                    - process: { ref: proxyApp }
                    - process: { ref: proxyPolicy }
                    - wireTap: { uri: direct:decision-log }
                    - filter:
                        simple: "${header.AtlasApiPath} startsWith '/projects/666/'"
                        steps:
                          - setHeader: { name: CamelHttpResponseCode, constant: 403 }
                          - setHeader: { name: Content-Type, constant: application/json }
                          - setBody:
                              constant: '{"error":"forbidden","message":"project 666 stays private"}'
                          - stop: {}
                    - process: { ref: proxyCredentials }
                    - process: { ref: proxyForward }
                    - process: { ref: proxyRedact }
            - route:
                id: decision-log
                from:
                  uri: direct:decision-log
                  steps:
                    - setBody:
                        simple:
                          expression: "${header.AtlasAppId} ${header.AtlasApiMethod} ${header.AtlasApiPath} \\
                            ${header.AtlasPolicyDecision} ${header.AtlasPolicyRule}\\n"
                          trim: false
                    - to: { uri: "file:%s?fileName=decisions.log&fileExist=Append" }
            - route:
                id: acme-hello
                from:
                  uri: platform-http:/acme/hello
                  parameters:
                    httpMethodRestrict: GET
                  steps:
                    - setHeader: { name: Content-Type, constant: text/plain }
                    - setBody: { constant: hello from acme }
            """.formatted(decisions) + PROBES;
    }

    /** Routes that show what admin steps see: after webhookVerify, and below a proxy route mounted elsewhere. */
    private static final String PROBES = """
        - route:
            id: probe-verified
            from:
              uri: platform-http:/probe/{vcs}/{appId}
              steps:
                - process: { ref: webhookApp }
                - process: { ref: webhookVerify }
                - setBody:
                    simple: "token=${header.X-Fake-Token} kind=${header.X-Fake-Kind} ${header.AtlasAppId} \\
                      ${header.AtlasVcs} ${header.AtlasEvent} ${header.AtlasDeliveryId}"
        - route:
            id: acme-proxy
            from:
              uri: platform-http:/acme/vcs
              parameters:
                matchOnUriPrefix: true
              steps:
                - process: { ref: proxyAuthenticate }
                - process: { ref: proxyApp }
                - process: { ref: proxyPolicy }
                - process: { ref: proxyCredentials }
                - process: { ref: proxyForward }
                - process: { ref: proxyRedact }
        """;

    @AfterAll
    void stop() {
        atlas.close();
        cloud.close();
    }

    @BeforeEach
    void reset() {
        cloud.clear();
    }

    private HttpResponse<String> hook(String path, String kind, String token, String delivery) {
        return atlas.post(path, ("{\"a\":\"" + delivery + "\"}").getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json",
            "X-Fake-Token", token, "X-Fake-Delivery", delivery, "X-Fake-Kind", kind);
    }

    @Test
    void servesTheWebhookRouteAtItsNewPathOnly() {
        String delivery = UUID.randomUUID().toString();
        assertThat(hook("/hooks/fakevcs/fake-main", "push", "hook-secret", delivery).statusCode()).isEqualTo(202);
        assertThat(hook("/webhook/fakevcs/fake-main", "push", "hook-secret", UUID.randomUUID().toString())
            .statusCode()).isEqualTo(404);
        assertThat(hook("/hooks/fakevcs/no-such-app", "push", "hook-secret", UUID.randomUUID().toString())
            .statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(delivery).size() == 1);
    }

    @Test
    void stillRefusesABadSignatureBeforeTheAdminsFilter() {
        HttpResponse<String> response = hook("/hooks/fakevcs/fake-main", "ping", "wrong", "d-" + UUID.randomUUID());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("signature_rejected");
    }

    @Test
    void dropsAVerifiedPingWithoutStoringOrDeliveringIt() {
        String ping = UUID.randomUUID().toString();
        String push = UUID.randomUUID().toString();
        assertThat(hook("/hooks/fakevcs/fake-main", "ping", "hook-secret", ping).statusCode()).isEqualTo(204);
        assertThat(hook("/hooks/fakevcs/fake-main", "push", "hook-secret", push).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(push).size() == 1);
        assertThat(deliveries(ping)).isEmpty();
    }

    @Test
    void sendsTheAdminsHeaderWithEveryDeliveryBesideTheSignature() {
        String delivery = UUID.randomUUID().toString();
        hook("/hooks/fakevcs/fake-main", "push", "hook-secret", delivery);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(delivery).size() == 1);
        FakeCloud.Request got = deliveries(delivery).get(0);
        assertThat(got.header("X-Acme-Env")).isEqualTo("production");
        assertThat(got.header("webhook-signature")).startsWith("v1,");
        assertThat(got.headers()).doesNotContainKeys("atlasappid", "atlasattempt", "x-fake-token");
    }

    @Test
    void deniesOneRepositoryBeforeForwardingAndTeesEveryDecision() throws Exception {
        HttpResponse<String> denied = proxy("/projects/666/merge_requests/1");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("project 666 stays private");
        HttpResponse<String> allowed = proxy("/projects/7/merge_requests/1");
        assertThat(allowed.statusCode()).isEqualTo(200);
        HttpResponse<String> policyDenied = proxy("/projects/7/repository/files/x");
        assertThat(policyDenied.statusCode()).isEqualTo(403);
        assertThat(policyDenied.body()).contains("policy_denied");
        assertThat(cloud.requests()).extracting(FakeCloud.Request::path)
            .containsExactly("/api/projects/7/merge_requests/1");
        Path log = decisions.resolve("decisions.log");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(decisions).isDirectoryContaining(
            p -> p.getFileName().toString().equals("decisions.log")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readAllLines(log)).hasSize(3));
        assertThat(Files.readAllLines(log)).contains(
            "fake-main GET /projects/666/merge_requests/1 allow mr-get",
            "fake-main GET /projects/7/merge_requests/1 allow mr-get")
            .anySatisfy(line -> assertThat(line).startsWith("fake-main GET /projects/7/repository/files/x deny"));
    }

    @Test
    void servesAnAddedEndpointWithoutEchoingTheRequestsHeaders() {
        HttpResponse<String> response = atlas.send(HttpRequest.newBuilder(URI.create(atlas.url("/acme/hello?probe=q")))
            .header("X-Probe", "echo-me").GET().build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello from acme");
        assertThat(response.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("X-Probe")
            || h.equalsIgnoreCase("probe"));
    }

    @Test
    void neverAnswersWithAtlasHeadersOrTheRequestsOwnHeaders() {
        HttpResponse<String> response = hook("/hooks/fakevcs/fake-main", "push", "hook-secret",
            UUID.randomUUID().toString());
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("atlas")
            || h.toLowerCase().startsWith("x-fake") || h.equalsIgnoreCase("vcs") || h.equalsIgnoreCase("appId"));
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void letsStepsAfterVerificationReadTheProvidersHeadersButNotItsToken() {
        HttpResponse<String> response = hook("/probe/fakevcs/fake-main", "ping", "hook-secret", "probe-1");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("token= kind=ping fake-main fakevcs push probe-1");
    }

    @Test
    void proxiesBelowTheRoutesOwnPrefixWhereverItIsMounted() throws Exception {
        HttpResponse<String> response = proxy("/acme/vcs", "/projects/7/merge_requests/2");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(cloud.requests()).extracting(FakeCloud.Request::path)
            .containsExactly("/api/projects/7/merge_requests/2");
    }

    private HttpResponse<String> proxy(String path) throws Exception {
        return proxy("/vcs/rest", path);
    }

    private HttpResponse<String> proxy(String prefix, String path) throws Exception {
        return atlas.send(HttpRequest.newBuilder(URI.create(atlas.url(prefix + path)))
            .header("Authorization", "Bearer " + cloudToken()).header("X-App-ID", "fake-main")
            .header("Accept", "application/json").GET().build());
    }

    private List<FakeCloud.Request> deliveries(String id) {
        return cloud.requests().stream().filter(r -> id.equals(r.header("webhook-id"))).toList();
    }

    private static String cloudToken() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
            .subject("asgard").audience("test-runner").expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        jwt.sign(new MACSigner(TestConfigs.CLOUD_JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
