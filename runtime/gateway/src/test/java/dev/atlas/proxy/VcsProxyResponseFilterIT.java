package dev.atlas.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * Response filtering over real HTTP: apps on the fake VCS run the shipped GitLab, GitHub, Bitbucket Cloud and Data
 * Center policies (copied into {@code policies.dir}), and a fake upstream answers with the realistic bodies of the
 * plugins' policy case tables ({@code responses}), every forbidden field holding a SECRET-MARKER. App
 * {@code fake-open} has one rule without filter, one with redactions only. What comes
 * back must be the case's expected JSON, without markers and without validators; an answer the filter cannot read is
 * a 502; conditional request headers reach the upstream only for the unfiltered rule.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VcsProxyResponseFilterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PLUGINS = Path.of("../../plugins");
    /** App id → {plugin, shipped policy, case table}; each app's apiUrl is {@code /api/<app>} on the fake. */
    private static final Map<String, List<String>> SHIPPED = Map.of(
        "fake-main", List.of("vcs-gitlab", "gitlab", "policy-cases.yaml"),
        "fake-gh", List.of("vcs-github", "github", "policy-cases.yaml"),
        "fake-bb", List.of("vcs-bitbucket", "bitbucket", "policy-cases-bitbucket.yaml"),
        "fake-bbdc", List.of("vcs-bitbucket", "bitbucket-dc", "policy-cases-bitbucket-dc.yaml"));
    private static final String ETAG = "W/\"SECRET-MARKER-etag\"";

    /** What the fake answers for "METHOD path" (status, body). */
    private final Map<String, Map.Entry<Integer, String>> answers = new ConcurrentHashMap<>();
    /** The request headers the fake received, by "METHOD path", latest call. */
    private final Map<String, Map<String, List<String>>> received = new ConcurrentHashMap<>();
    private HttpServer vcs;
    private RunningAtlas atlas;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        vcs = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        vcs.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
            received.put(key, Map.copyOf(exchange.getRequestHeaders()));
            Map.Entry<Integer, String> answer = answers.getOrDefault(key, Map.entry(404, "{\"message\":\"404 Not Found\"}"));
            byte[] body = answer.getValue().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("ETag", ETAG);
            exchange.getResponseHeaders().add("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT");
            exchange.getResponseHeaders().add("X-Total", "1");
            exchange.sendResponseHeaders(answer.getKey(), body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        vcs.start();
        String api = "http://127.0.0.1:" + vcs.getAddress().getPort() + "/api/";
        Path policies = Files.createDirectories(dir.resolve("policies"));
        StringBuilder apps = new StringBuilder();
        for (Map.Entry<String, List<String>> app : SHIPPED.entrySet()) {
            Path shipped = PLUGINS.resolve(app.getValue().get(0)).resolve("src/main/resources/atlas/policy");
            Files.copy(shipped.resolve(app.getValue().get(1) + ".yaml"), policies.resolve(app.getKey() + ".yaml"));
            Path schema = shipped.resolve(app.getValue().get(1) + ".graphqls");
            if (Files.exists(schema)) {
                Files.copy(schema, policies.resolve(app.getKey() + ".graphqls"));
            }
            if (!app.getKey().equals("fake-main")) {
                apps.append(app(app.getKey(), api + app.getKey()));
            }
        }
        apps.append(app("fake-open", api + "fake-open"));
        Files.writeString(policies.resolve("fake-open.yaml"), """
            version: 1
            rest:
              accept: [application/json]
              rules:
                - {id: open, method: GET, path: /open}
                - {id: redacting, method: GET, path: /files, redact: ["[].patch"]}
            """);
        String yaml = TestConfigs.valid(0, "https://asgard.example", "policies:\n  dir: " + policies.toAbsolutePath() + "\n")
            .replace("apiUrl: https://vcs.example/api", "apiUrl: " + api + "fake-main")
            .replace("        fakevcs:\n          flavour: plain\n", "        fakevcs:\n          flavour: plain\n" + apps);
        atlas = RunningAtlas.start(TestConfigs.write(dir, yaml), Map.of());
    }

    @AfterAll
    void stop() {
        atlas.close();
        vcs.stop(0);
    }

    private static String app(String id, String apiUrl) {
        return "      - id: " + id + "\n        vcs: fakevcs\n        webUrl: https://vcs.example\n        apiUrl: " + apiUrl
            + "\n        webhookSecret: hook-secret-" + id + "\n";
    }

    Stream<Arguments> responseCases() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> app : SHIPPED.entrySet()) {
            Path table = PLUGINS.resolve(app.getValue().get(0)).resolve("src/test/resources").resolve(app.getValue().get(2));
            new YAMLMapper().readTree(table.toFile()).path("responses").forEach(c -> out.add(Arguments.of(
                app.getValue().get(1) + ": " + c.path("name").asText(), app.getKey(), c)));
        }
        return out.stream();
    }

    private HttpResponse<String> call(String app, String method, String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(atlas.url("/vcs/rest" + path)))
            .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"))
            .header("Authorization", "Bearer " + cloudToken()).header("X-App-ID", app);
        if (!method.equals("GET")) {
            builder.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return atlas.send(builder.build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responseCases")
    void returnsOnlyTheAllowedFieldsOfTheShippedPoliciesWithoutValidators(String name, String app, JsonNode c) throws Exception {
        String method = c.path("method").asText("GET");
        String path = c.path("path").asText();
        String upstream = method + " /api/" + app + path;
        int status = c.path("status").asInt(200);
        answers.put(upstream, Map.entry(status, c.path("response").asText()));

        HttpResponse<String> response = call(app, method, path, "If-None-Match", ETAG,
            "If-Modified-Since", "Tue, 01 Dec 2026 10:00:00 GMT");

        assertThat(response.body()).doesNotContain("SECRET-MARKER");
        assertThat(response.headers().firstValue("ETag")).isEmpty();
        assertThat(response.headers().firstValue("Last-Modified")).isEmpty();
        assertThat(received.get(upstream)).doesNotContainKeys("If-none-match", "If-modified-since");
        if (c.path("refused").asBoolean(false)) {
            assertThat(response.statusCode()).as(name + ": " + response.body()).isEqualTo(502);
            return;
        }
        assertThat(response.statusCode()).as(name + ": " + response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree(c.path("expected").asText()));
        assertThat(response.headers().firstValue("X-Total")).contains("1");
    }

    @Test
    void passesValidatorsAndConditionalHeadersOnlyForARuleThatDoesNotFilter() {
        answers.put("GET /api/fake-open/open", Map.entry(200, "{\"id\":1}"));
        answers.put("GET /api/fake-open/files", Map.entry(200, "[{\"filename\":\"a\",\"patch\":\"SECRET-MARKER-patch\"}]"));

        HttpResponse<String> open = call("fake-open", "GET", "/open", "If-None-Match", ETAG);
        HttpResponse<String> redacted = call("fake-open", "GET", "/files", "If-None-Match", ETAG);

        assertThat(open.headers().firstValue("ETag")).contains(ETAG);
        assertThat(received.get("GET /api/fake-open/open")).containsEntry("If-none-match", List.of(ETAG));
        assertThat(redacted.statusCode()).isEqualTo(200);
        assertThat(redacted.body()).isEqualTo("[{\"filename\":\"a\"}]");
        assertThat(redacted.headers().firstValue("ETag")).isEmpty();
        assertThat(redacted.headers().firstValue("Last-Modified")).isEmpty();
        assertThat(received.get("GET /api/fake-open/files")).doesNotContainKey("If-none-match");
    }

    @Test
    void answers502RatherThanPassOnAnHtmlErrorPageOfAFilteredRule() {
        answers.put("GET /api/fake-main/projects/43", Map.entry(500, "<html>SECRET-MARKER-runners_token</html>"));

        HttpResponse<String> response = call("fake-main", "GET", "/projects/43");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).doesNotContain("SECRET-MARKER");
    }

    private static String cloudToken() {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .subject("asgard").audience("test-runner").expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .build());
            jwt.sign(new MACSigner(TestConfigs.CLOUD_JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
