package dev.atlas.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /vcs/graphql} over real HTTP to a fake VCS: what the VCS receives is Atlas's own printed document in
 * Atlas's own JSON, never the caller's text; only JSON is taken (415); limits are 403.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphqlForwardingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
        type Query { me: Person! item(id: ID!): Item }
        type Person { name: String! secret: String friends(first: Int): [Person!]! }
        type Item { title: String! body: String }
        """;
    private static final String POLICY = """
        version: 1
        graphql:
          limits: {maxDepth: 4}
          allow: [Query.me, Query.item, Person.name, Person.friends, Item.title]
        """;
    /** Issue 13's example on this schema: graphql-java reads {@code r1: item}, graphql-ruby {@code me { secret }}. */
    private static final String ISSUE_EXAMPLE =
        "query { me { name } #\rr1: item(id: \"\"\"\nr: me { secret }\n#\"\"\") { title } }";

    /** One request the fake VCS received. */
    record Seen(String path, String contentType, String body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpServer vcs;
    private RunningAtlas atlas;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        vcs = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        vcs.createContext("/", exchange -> {
            seen.add(new Seen(exchange.getRequestURI().getRawPath(), exchange.getRequestHeaders().getFirst("Content-Type"),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] answer = "{\"data\":{}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        vcs.start();
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("fake-main.yaml"), POLICY);
        Files.writeString(policies.resolve("fake-main.graphqls"), SCHEMA);
        // an app whose plugin has no GraphQL API, with a policy that would allow the document
        Files.writeString(policies.resolve("fake-rest.yaml"), POLICY);
        Files.writeString(policies.resolve("fake-rest.graphqls"), SCHEMA);
        String api = "http://127.0.0.1:" + vcs.getAddress().getPort() + "/api";
        String yaml = TestConfigs.valid(0, "https://asgard.example", "policies:\n  dir: " + policies + "\n")
            .replace("apiUrl: https://vcs.example/api", "apiUrl: " + api)
            .replace("        fakevcs:\n          flavour: plain\n", "        fakevcs:\n          flavour: plain\n"
                + "      - id: fake-rest\n        vcs: fakevcs\n        webUrl: https://vcs.example\n        apiUrl: " + api
                + "\n        webhookSecret: hook-secret-rest\n        fakevcs:\n          flavour: restonly\n");
        atlas = RunningAtlas.start(TestConfigs.write(dir, yaml), Map.of());
    }

    @AfterAll
    void stop() {
        atlas.close();
        vcs.stop(0);
    }

    @Test
    void sendsTheVcsAtlasOwnPrintOfTheIssueExampleNotTheCallersBytes() throws Exception {
        int before = seen.size();

        HttpResponse<String> response = post(body(ISSUE_EXAMPLE), "application/json");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(seen).hasSize(before + 1);
        Seen upstream = seen.get(seen.size() - 1);
        assertThat(upstream.path()).isEqualTo("/api/graphql");
        assertThat(upstream.contentType()).isEqualTo("application/json");
        assertThat(upstream.body()).isEqualTo("{\"query\":\"{me{name}r1:item(id:\\\"r: me { secret }\\\\n#\\\"){title}}\"}");
    }

    static Stream<Arguments> callerForms() {
        return Stream.of(
            Arguments.of("comment, commas, CR LF and BOM", "\uFEFF# hi\r\nquery A {,me {\r\n name }}", "query A{me{name}}"),
            Arguments.of("block string with an escaped triple quote", "{ item(id: \"\"\"a \\\"\"\" me { secret }\"\"\") { title } }",
                "{item(id:\"a \\\"\\\"\\\" me { secret }\"){title}}"),
            Arguments.of("line and paragraph separators in a string", "{ item(id: \"\u2028\u2029\") { title } }",
                "{item(id:\"\\u2028\\u2029\"){title}}"),
            Arguments.of("unicode escape of a quote", "{ item(id: \"\\u0022) { body } \\u0022\") { title } }",
                "{item(id:\"\\\") { body } \\\"\"){title}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callerForms")
    void forwardsEachFormAsItsCanonicalDocument(String why, String query, String canonical) throws Exception {
        int before = seen.size();

        HttpResponse<String> response = post(body(query), "application/json; charset=utf-8");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(seen).hasSize(before + 1);
        JsonNode sent = JSON.readTree(seen.get(seen.size() - 1).body());
        assertThat(sent.get("query").asText()).isEqualTo(canonical);
        assertThat(seen.get(seen.size() - 1).body()).matches("[\\x20-\\x7e]*").doesNotContain("#", "\\r");
    }

    @Test
    void writesVariablesAndOperationNameAgainInItsOwnJson() {
        int before = seen.size();
        String received = "{\"operationName\":\"Q\" , \"variables\" : {\"s\": \"\u2028\"},\n\"query\": \"query Q { me { name } }\"}";

        HttpResponse<String> response = post(received, "application/json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(seen).hasSize(before + 1);
        assertThat(seen.get(seen.size() - 1).body())
            .isEqualTo("{\"query\":\"query Q{me{name}}\",\"variables\":{\"s\":\"\\u2028\"},\"operationName\":\"Q\"}");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "text/plain", "application/graphql", "application/x-www-form-urlencoded",
        "application/jsonx", "application/json+x", "application/json; charset=utf-16", "application/json; charset=latin1",
        "application/json; boundary=x", "application/json; charset=utf-8; charset=utf-8", "application/json;",
        "application/json; charset", "application/json; charset=\"utf-8", "application/json, text/plain",
        "application /json", "*/*"})
    void refusesAnythingButJsonWith415(String contentType) throws Exception {
        int before = seen.size();

        HttpResponse<String> response = post(body("{ me { name } }"), contentType.isEmpty() ? null : contentType);

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("unsupported_media_type");
        assertThat(seen).hasSize(before);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"application/json", "APPLICATION/JSON", "application/json;charset=utf-8",
        "application/json ; charset=\"UTF-8\""})
    void acceptsJsonWithAtMostAUtf8Charset(String contentType) {
        assertThat(post(body("{ me { name } }"), contentType).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesTwoContentTypeHeadersWith415() {
        HttpResponse<String> response = atlas.send(request(body("{ me { name } }"))
            .header("Content-Type", "application/json").header("Content-Type", "text/plain").build());

        assertThat(response.statusCode()).isEqualTo(415);
    }

    @Test
    void refusesADuplicatedJsonKeyWith400AndForwardsNothing() throws Exception {
        int before = seen.size();

        HttpResponse<String> response = post("{\"query\": \"{ me { name } }\", \"query\": \"{ me { secret } }\"}",
            "application/json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("invalid_request");
        assertThat(seen).hasSize(before);
    }

    @ParameterizedTest(name = "{0} levels")
    @ValueSource(ints = {5, 90})
    void answersADocumentDeeperThanTheLimitWith403NamingIt(int levels) throws Exception {
        int before = seen.size();
        String query = "{ me { " + "friends{".repeat(levels - 1) + "name" + "}".repeat(levels - 1) + " } }";

        HttpResponse<String> response = post(body(query), "application/json");

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("error").asText()).isEqualTo("policy_denied");
        assertThat(error.get("rule").asText()).isEqualTo("maxDepth");
        assertThat(seen).hasSize(before);
    }

    @Test
    void answersGraphqlForAnAppWhosePluginHasNoGraphqlApi404AndNeverCallsTheVcs() throws Exception {
        int before = seen.size();

        HttpResponse<String> response = atlas.send(HttpRequest.newBuilder(URI.create(atlas.url("/vcs/graphql")))
            .header("Authorization", "Bearer " + cloudToken()).header("X-App-ID", "fake-rest")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body("{ me { name } }"), StandardCharsets.UTF_8)).build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("not_found");
        assertThat(response.body()).contains("the app's VCS has no GraphQL API");
        assertThat(seen).hasSize(before);
        // the same document for the app whose plugin has GraphQL goes through
        assertThat(post(body("{ me { name } }"), "application/json").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> post(String body, String contentType) {
        HttpRequest.Builder builder = request(body);
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return atlas.send(builder.build());
    }

    private HttpRequest.Builder request(String body) {
        return HttpRequest.newBuilder(URI.create(atlas.url("/vcs/graphql")))
            .header("Authorization", "Bearer " + cloudToken()).header("X-App-ID", "fake-main")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    private static String body(String query) {
        return JSON.createObjectNode().put("query", query).toString();
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
