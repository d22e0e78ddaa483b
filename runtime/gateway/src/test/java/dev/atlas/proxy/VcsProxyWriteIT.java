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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * REST writes through the real proxy route to a fake VCS: the VCS receives Atlas's own writing of the body and
 * {@code Accept} it checked, never the caller's bytes; a form, a non-object, a duplicated key, a redirecting field or
 * a smuggled Accept parameter is answered by Atlas and never reaches the VCS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VcsProxyWriteIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
        version: 1
        rest:
          accept: ["application/json; charset=utf-8"]
          rules:
            - id: mr-create
              method: POST
              path: /projects/{id:int}/merge_requests
              body:
                fields: [source_branch, target_branch, title, target_project_id]
                equal: {target_project_id: "{id}"}
            - id: mr-get
              method: GET
              path: /projects/{id:int}/merge_requests/{iid:int}
        """;

    /** One request the fake VCS received. */
    record Seen(String method, String path, Map<String, List<String>> headers, String body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpServer vcs;
    private RunningAtlas atlas;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        vcs = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        vcs.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                Map.copyOf(exchange.getRequestHeaders()), body));
            byte[] answer = "{\"iid\":3}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        vcs.start();
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("fake-main.yaml"), POLICY);
        String yaml = TestConfigs.valid(0, "https://asgard.example", "policies:\n  dir: " + policies + "\n")
            .replace("apiUrl: https://vcs.example/api", "apiUrl: http://127.0.0.1:" + vcs.getAddress().getPort() + "/api");
        atlas = RunningAtlas.start(TestConfigs.write(dir, yaml), Map.of());
    }

    @AfterAll
    void stop() {
        atlas.close();
        vcs.stop(0);
    }

    @BeforeEach
    void forget() {
        seen.clear();
    }

    private static String cloudToken() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
            .subject("asgard").audience("test-runner").expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        jwt.sign(new MACSigner(TestConfigs.CLOUD_JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String body, String contentType, String accept)
        throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(atlas.url("/vcs/rest" + pathAndQuery)))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .header("Authorization", "Bearer " + cloudToken()).header("X-App-ID", "fake-main");
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        if (accept != null) {
            builder.header("Accept", accept);
        }
        return atlas.send(builder.build());
    }

    @Test
    void forwardsTheCheckedBodyAndAcceptAsAtlasWroteThemNotTheCallersBytes() throws Exception {
        HttpResponse<String> response = send("POST", "/projects/42/merge_requests",
            "  {\"title\" : \"A\\u0062\",\n \"source_branch\":\"a\", \"target_project_id\": 42}  ",
            "application/json; charset=UTF-8", "Application/JSON ; Charset=UTF-8 ; q=0.9");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(seen).hasSize(1);
        Seen upstream = seen.get(0);
        assertThat(upstream.path()).isEqualTo("/api/projects/42/merge_requests");
        assertThat(upstream.body()).isEqualTo("{\"title\":\"Ab\",\"source_branch\":\"a\",\"target_project_id\":42}");
        assertThat(upstream.headers().get("Content-type")).containsExactly("application/json");
        assertThat(upstream.headers().get("Accept")).containsExactly("application/json;charset=utf-8;q=0.9");
        assertThat(upstream.headers().get("Authorization")).containsExactly("Bearer fake-api-token");
    }

    @Test
    void forwardsNoBodyAndTheDefaultAcceptForAPlainRead() throws Exception {
        HttpResponse<String> response = send("GET", "/projects/42/merge_requests/3", null, null, null);

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(seen.get(0).body()).isEmpty();
        assertThat(seen.get(0).headers().get("Accept")).containsExactly("application/json");
        assertThat(seen.get(0).headers()).doesNotContainKey("Content-type");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        form body with _method | /mr | title=t&_method=DELETE | application/x-www-form-urlencoded | - | 415
        multipart body | /mr | '--x\r\n\r\nt\r\n--x--' | multipart/form-data; boundary=x | - | 415
        JSON sent as text/plain | /mr | '{"title":"t"}' | text/plain | - | 415
        JSON without a Content-Type | /mr | '{"title":"t"}' | - | - | 415
        array instead of an object | /mr | '[{"title":"t"}]' | application/json | - | 415
        another target project | /mr | '{"title":"t","target_project_id":7}' | application/json | - | 403
        escaped key naming another project | /mr | '{"target\\u005fproject_id":"7"}' | application/json | - | 403
        target project given twice | /mr | '{"target_project_id":42,"target_project_id":7}' | application/json | - | 400
        _method in the body | /mr | '{"title":"t","_method":"DELETE"}' | application/json | - | 403
        _method in the query | /mr?_method=PUT | '{"title":"t"}' | application/json | - | 403
        target project in the query | /mr?target_project_id=7 | '{"title":"t"}' | application/json | - | 403
        Accept charset smuggling a diff | /mr/3 | - | - | application/json; charset=application/x-diff | 403
        Accept parameter behind a quoted comma | /mr/3 | - | - | 'application/json; x="a, text/x-diff"' | 403
        body on a read | /mr/3 | '{"title":"t"}' | application/json | - | 403
        """)
    void answersWithoutForwardingAnythingItDidNotAllow(String name, String path, String body, String contentType,
        String accept, int status) throws Exception {
        String method = path.startsWith("/mr/") ? "GET" : "POST";
        String target = path.replace("/mr", "/projects/42/merge_requests");

        HttpResponse<String> response = send(method, target, body == null ? null : body.replace("\\r\\n", "\r\n"),
            contentType, accept);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("error").asText())
            .isEqualTo(status == 415 ? "unsupported_media_type" : status == 400 ? "invalid_request" : "policy_denied");
        assertThat(answer.path("reason").asText()).isNotBlank();
        assertThat(seen).as("nothing reaches the VCS").isEmpty();
    }
}
