package dev.atlas.core.proxy;

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
 * Response filtering over real HTTP: app {@code fake-main} runs the shipped GitLab policy and a fake upstream answers
 * with the realistic bodies of vcs-gitlab's {@code policy-cases.yaml} ({@code responses}), every forbidden field
 * holding a SECRET-MARKER. App {@code fake-open} has one rule without filter, one with redactions only. What comes
 * back must be the case's expected JSON, without markers and without validators; an answer the filter cannot read is
 * a 502; conditional request headers reach the upstream only for the unfiltered rule.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VcsProxyResponseFilterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path GITLAB = Path.of("../../plugins/vcs-gitlab/src/main/resources/atlas/policy/gitlab.yaml");
    private static final Path CASES = Path.of("../../plugins/vcs-gitlab/src/test/resources/policy-cases.yaml");
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
        String api = "http://127.0.0.1:" + vcs.getAddress().getPort() + "/api/v4";
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.copy(GITLAB, policies.resolve("fake-main.yaml"));
        Files.writeString(policies.resolve("fake-open.yaml"), """
            version: 1
            rest:
              accept: [application/json]
              rules:
                - {id: open, method: GET, path: /open}
                - {id: redacting, method: GET, path: /files, redact: ["[].patch"]}
            """);
        String yaml = TestConfigs.valid(0, "https://asgard.example", "policies:\n  dir: " + policies.toAbsolutePath() + "\n")
            .replace("apiUrl: https://vcs.example/api", "apiUrl: " + api)
            .replace("        fakevcs:\n          flavour: plain\n", "        fakevcs:\n          flavour: plain\n"
                + "      - id: fake-open\n        vcs: fakevcs\n        webUrl: https://vcs.example\n        apiUrl: " + api + "\n"
                + "        webhookSecret: hook-secret-2\n");
        atlas = RunningAtlas.start(TestConfigs.write(dir, yaml), Map.of());
    }

    @AfterAll
    void stop() {
        atlas.close();
        vcs.stop(0);
    }

    Stream<Arguments> responseCases() throws Exception {
        List<Arguments> out = new ArrayList<>();
        new YAMLMapper().readTree(CASES.toFile()).path("responses").forEach(c -> out.add(Arguments.of(c.path("name").asText(), c)));
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
    void returnsOnlyTheAllowedFieldsOfTheShippedGitlabPolicyWithoutValidators(String name, JsonNode c) throws Exception {
        String method = c.path("method").asText("GET");
        String path = c.path("path").asText();
        int status = c.path("status").asInt(200);
        answers.put(method + " /api/v4" + path, Map.entry(status, c.path("response").asText()));

        HttpResponse<String> response = call("fake-main", method, path, "If-None-Match", ETAG,
            "If-Modified-Since", "Tue, 01 Dec 2026 10:00:00 GMT");

        assertThat(response.body()).doesNotContain("SECRET-MARKER");
        assertThat(response.headers().firstValue("ETag")).isEmpty();
        assertThat(response.headers().firstValue("Last-Modified")).isEmpty();
        assertThat(received.get(method + " /api/v4" + path)).doesNotContainKeys("If-none-match", "If-modified-since");
        if (c.path("refused").asBoolean(false)) {
            assertThat(response.statusCode()).isEqualTo(502);
            return;
        }
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree(c.path("expected").asText()));
        assertThat(response.headers().firstValue("X-Total")).contains("1");
    }

    @Test
    void passesValidatorsAndConditionalHeadersOnlyForARuleThatDoesNotFilter() {
        answers.put("GET /api/v4/open", Map.entry(200, "{\"id\":1}"));
        answers.put("GET /api/v4/files", Map.entry(200, "[{\"filename\":\"a\",\"patch\":\"SECRET-MARKER-patch\"}]"));

        HttpResponse<String> open = call("fake-open", "GET", "/open", "If-None-Match", ETAG);
        HttpResponse<String> redacted = call("fake-open", "GET", "/files", "If-None-Match", ETAG);

        assertThat(open.headers().firstValue("ETag")).contains(ETAG);
        assertThat(received.get("GET /api/v4/open")).containsEntry("If-none-match", List.of(ETAG));
        assertThat(redacted.statusCode()).isEqualTo(200);
        assertThat(redacted.body()).isEqualTo("[{\"filename\":\"a\"}]");
        assertThat(redacted.headers().firstValue("ETag")).isEmpty();
        assertThat(redacted.headers().firstValue("Last-Modified")).isEmpty();
        assertThat(received.get("GET /api/v4/files")).doesNotContainKey("If-none-match");
    }

    @Test
    void answers502RatherThanPassOnAnHtmlErrorPageOfAFilteredRule() {
        answers.put("GET /api/v4/projects/43", Map.entry(500, "<html>SECRET-MARKER-runners_token</html>"));

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
