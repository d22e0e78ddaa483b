package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.atlas.policies.ApiPolicy;
import dev.atlas.testkit.PolicyCaseTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped GitHub policy over real HTTP: every case of {@code plugins/vcs-github/src/test/resources/policy-cases.yaml}
 * is sent through {@code bin/atlas run} with the real GitHub plugin to a fake GitHub. Denied requests must never reach
 * it; allowed ones reach it with the installation token Atlas minted (once) and without the caller's credentials, and
 * an allowed GraphQL request reaches it as Atlas's canonical body (the shipped policy's own print of the checked
 * document), never as the caller's bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyBypassIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CASES = Path.of("../plugins/vcs-github/src/test/resources/policy-cases.yaml");
    private static final Path SHIPPED_POLICY = Path.of("../plugins/vcs-github/src/main/resources/atlas/policy");
    private static final java.util.Set<String> PROXIED_METHODS = java.util.Set.of("GET", "POST", "PATCH", "PUT",
        "DELETE");
    private static final Pattern REPEAT = Pattern.compile("\\$\\{repeat:(\\d+):([^}]*)}");

    /** One request the fake GitHub received. */
    record Seen(String method, String path, Map<String, List<String>> headers, byte[] body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger mints = new AtomicInteger();
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpServer github;
    private Process atlas;
    private String base;
    private JsonNode cases;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cases = YAML.readTree(CASES.toFile());
        github = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        github.createContext("/", exchange -> {
            byte[] received = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getRawPath();
            byte[] answer;
            int status = 200;
            if (path.equals("/api/v3/app/installations/99/access_tokens")) {
                mints.incrementAndGet();
                status = 201;
                answer = ("{\"token\":\"ghs_upstream_installation_token\",\"expires_at\":\""
                    + Instant.now().plus(Duration.ofHours(1)) + "\"}").getBytes(StandardCharsets.UTF_8);
            } else {
                seen.add(new Seen(exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()), received));
                answer = redactionResponse(path).getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        github.start();
        int port = Distribution.freePort();
        base = "http://127.0.0.1:" + port;
        Path config = Distribution.githubConfig(dir, port, "https://asgard.example", "hook");
        String yaml = Files.readString(config)
            .replace("apiUrl: https://github.example/api/v3", "apiUrl: http://127.0.0.1:" + github.getAddress().getPort()
                + "/api/v3")
            .replace("appId: \"12345\"", "appId: \"12345\"\n          installationId: \"99\"");
        Files.writeString(config, yaml);
        atlas = Distribution.start(Map.of(), "run", "--config", config.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);
    }

    @AfterAll
    void stop() throws Exception {
        atlas.destroy();
        atlas.waitFor(30, TimeUnit.SECONDS);
        github.stop(0);
        // every request above went through the log: no credential of either side may be in it
        String log = Distribution.output(atlas);
        assertThat(log).contains("proxy decision")
            .doesNotContain("ghs_upstream_installation_token")
            .doesNotContain("dist-cloud-jwt-secret-long-enough-for-hs256-keys")
            .doesNotContain(Distribution.cloudToken().substring(0, 40))
            .doesNotContain("PRIVATE KEY");
    }

    private String redactionResponse(String path) {
        for (JsonNode c : cases.path("redactions")) {
            if (("/api/v3" + c.path("path").asText()).equals(path)) {
                return c.path("response").asText();
            }
        }
        return "{\"ok\":true}";
    }

    Stream<Arguments> graphqlCases() throws Exception {
        JsonNode table = YAML.readTree(CASES.toFile());
        return Stream.concat(stream(table.path("graphql")), stream(table.path(PolicyCaseTable.GRAPHQL_DIFFERENTIALS)));
    }

    Stream<Arguments> restCases() throws Exception {
        JsonNode table = YAML.readTree(CASES.toFile());
        return Stream.concat(stream(table.path("rest")), stream(table.path(PolicyCaseTable.WRITES_AND_ACCEPT)));
    }

    Stream<Arguments> redactionCases() throws Exception {
        return stream(YAML.readTree(CASES.toFile()).path("redactions"));
    }

    private static Stream<Arguments> stream(JsonNode list) {
        List<Arguments> out = new ArrayList<>();
        list.forEach(c -> out.add(Arguments.of(c.path("name").asText(), c)));
        return out.stream();
    }

    private static String expand(String text) {
        Matcher m = REPEAT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            StringBuilder repeated = new StringBuilder();
            for (int i = 0; i < Integer.parseInt(m.group(1)); i++) {
                repeated.append(m.group(2).replace("#", String.valueOf(i)));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(repeated.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }


    private HttpResponse<String> send(HttpRequest.Builder builder) throws Exception {
        return http.send(builder.header("Authorization", "Bearer " + Distribution.cloudToken()).header("X-App-ID", "gh-main").build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private void assertOutcome(JsonNode c, HttpResponse<String> response, int before) throws Exception {
        int expect = c.path("expect").asInt();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expect);
        if (expect == 200) {
            assertThat(seen).hasSize(before + 1);
            Seen upstream = seen.get(seen.size() - 1);
            assertThat(upstream.headers().get("Authorization")).containsExactly("Bearer ghs_upstream_installation_token");
            assertThat(upstream.headers()).doesNotContainKeys("X-app-id", "X-App-ID", "X-App-Id", "Cookie");
            // what GitHub got is Atlas's writing of what it checked, not the caller's bytes
            if (c.has("forwardedJson")) {
                assertThat(JSON.readTree(upstream.body())).isEqualTo(c.get("forwardedJson"));
                assertThat(upstream.headers().get("Content-type")).containsExactly("application/json");
            }
            if (c.has("forwardedAccept")) {
                assertThat(upstream.headers().get("Accept")).containsExactly(c.get("forwardedAccept").asText());
            }
        } else {
            assertThat(seen).as("a denied request reached GitHub").hasSize(before);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("error").asText()).isEqualTo(expect == 400 ? "invalid_request"
                : expect == 415 ? "unsupported_media_type" : "policy_denied");
            // over HTTP a '?' in the case's path starts the query string, so the policy sees another path
            if (c.has("rule") && !c.path("path").asText().contains("?")) {
                assertThat(body.path("rule").asText()).isEqualTo(c.path("rule").asText());
            }
        }
    }

    @ParameterizedTest(name = "graphql: {0}")
    @MethodSource("graphqlCases")
    void decidesGraphqlCasesAndForwardsOnlyAllowedOnes(String name, JsonNode c) throws Exception {
        String body;
        if (c.has("body")) {
            body = expand(c.path("body").asText());
        } else {
            ObjectNode request = JSON.createObjectNode();
            request.put("query", expand(c.path("query").asText()));
            if (c.has("operationName")) {
                request.put("operationName", c.path("operationName").asText());
            }
            if (c.has("variables")) {
                request.set("variables", c.path("variables"));
            }
            body = JSON.writeValueAsString(request);
        }
        int before = seen.size();
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/vcs/graphql"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertOutcome(c, response, before);
        if (c.path("expect").asInt() == 200) {
            Seen upstream = seen.get(seen.size() - 1);
            assertThat(upstream.path()).isEqualTo("/api/graphql");
            assertThat(upstream.headers().get("Content-type")).containsExactly("application/json");
            // exactly the policy's canonical body: Atlas's print of the document it checked, not what was sent
            ApiPolicy shipped = ApiPolicy.parse(Files.readString(SHIPPED_POLICY.resolve("github.yaml")),
                Optional.of(Files.readString(SHIPPED_POLICY.resolve("github.graphqls"))), "built-in:github");
            assertThat(new String(upstream.body(), StandardCharsets.UTF_8))
                .isEqualTo(shipped.checkGraphql(body).forwardBody().orElseThrow());
            PolicyCaseTable.assertCanonicalForward(new String(upstream.body(), StandardCharsets.UTF_8), c);
        }
    }

    @ParameterizedTest(name = "rest: {0}")
    @MethodSource("restCases")
    void decidesRestCasesAndForwardsOnlyAllowedOnes(String name, JsonNode c) throws Exception {
        String method = c.path("method").asText();
        String target = base + "/vcs/rest" + c.path("path").asText()
            + (c.has("query") ? "?" + c.path("query").asText() : "");
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(URI.create(target));
        } catch (IllegalArgumentException e) {
            return; // a path the HTTP client itself refuses to send cannot reach Atlas either
        }
        String requestBody = PolicyCaseTable.restBody(c);
        builder.method(method, requestBody.isEmpty() ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(requestBody));
        PolicyCaseTable.restContentType(c).ifPresent(type -> builder.header("Content-Type", type));
        c.path("accept").forEach(a -> builder.header("Accept", a.asText()));
        c.path("headers").fields().forEachRemaining(h -> {
            if (h.getValue().isArray()) {
                h.getValue().forEach(v -> builder.header(h.getKey(), v.asText()));
            } else {
                builder.header(h.getKey(), h.getValue().asText());
            }
        });
        int before = seen.size();
        HttpResponse<String> response;
        try {
            response = send(builder);
        } catch (IllegalArgumentException e) {
            return; // a method or header the HTTP client refuses to send
        }
        if (!PROXIED_METHODS.contains(method) && response.statusCode() == 405) {
            // the HTTP layer refuses methods the proxy routes do not serve (lower case, HEAD, TRACE…) before the policy
            assertThat(seen).hasSize(before);
            return;
        }
        assertOutcome(c, response, before);
    }

    @ParameterizedTest(name = "redaction: {0}")
    @MethodSource("redactionCases")
    void redactsCodeFromAllowedResponses(String name, JsonNode c) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest" + c.path("path").asText()))
            .GET());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree(c.path("expected").asText()));
    }

    @Test
    void mintsTheInstallationTokenOnceForAllCalls() throws Exception {
        send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest/repos/acme/api")).GET());
        send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest/repos/acme/api/pulls/1")).GET());
        assertThat(mints.get()).isEqualTo(1);
    }

    @Test
    void refusesCallersWithoutAValidCloudToken() throws Exception {
        int before = seen.size();
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest/repos/acme/api"))
            .header("X-App-ID", "gh-main").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        SignedJWT forged = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
            .subject("mallory").expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        forged.sign(new MACSigner("another-secret-another-secret-another-secret".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> wrongKey = http.send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest/repos/acme/api"))
            .header("X-App-ID", "gh-main").header("Authorization", "Bearer " + forged.serialize()).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(seen).hasSize(before);
    }

    @Test
    void answers400WithoutAppIdAnd404ForAnUnknownApp() throws Exception {
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest/repos/acme/api"))
            .header("Authorization", "Bearer " + Distribution.cloudToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest/repos/acme/api"))
            .header("Authorization", "Bearer " + Distribution.cloudToken()).header("X-App-ID", "nope").GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
    }
}
