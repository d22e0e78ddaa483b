package dev.atlas.core.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The gateway over real HTTP on loopback: operations endpoints, error answers, admin routes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    RunningAtlas atlas;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        // replaces the shipped health-live route and adds a route of its own
        Files.writeString(routes.resolve("custom.camel.yaml"), """
            - route:
                id: health-live
                from:
                  uri: platform-http:/health/live
                  steps:
                    - setBody:
                        constant: replaced-by-admin
            - route:
                id: admin-echo
                routeConfigurationId: atlas-errors
                from:
                  uri: platform-http:/admin/echo
                  parameters:
                    httpMethodRestrict: POST
                  steps:
                    - process:
                        ref: captureRequest
                    - setBody:
                        simple: "${body.length}"
                    - convertBodyTo:
                        type: java.lang.String
            - route:
                id: admin-log
                from:
                  uri: platform-http:/admin/log
                  steps:
                    - log:
                        message: admin step saw the request
                        logName: dev.atlas.test.admin-log
                    - setBody:
                        constant: logged
            """);
        Path config = TestConfigs.write(dir, TestConfigs.valid(0, "https://asgard.example", """
            routes:
              dir: routes
            """));
        atlas = RunningAtlas.start(config, Map.of());
    }

    @AfterAll
    void stop() {
        atlas.close();
    }

    @Test
    void answersReadinessWithEveryCheckUp() throws Exception {
        HttpResponse<String> response = atlas.get("/health/ready");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("UP");
        assertThat(body.get("checks").findValuesAsText("name")).contains("plugins");
    }

    @Test
    void servesPrometheusMetrics() {
        atlas.app().metrics().count("probe_total", "kind", "test");
        HttpResponse<String> response = atlas.get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
        assertThat(response.body()).contains("atlas_probe_total{kind=\"test\"} 1.0");
    }

    @Test
    void answersAnUnknownPathWithJson404() throws Exception {
        HttpResponse<String> response = atlas.get("/no/such/path");
        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("not_found");
        assertThat(body.has("id")).isTrue();
    }

    @Test
    void refusesABodyOverTheLimitWith413() {
        HttpResponse<String> response = atlas.post("/admin/echo", new byte[2048], "Content-Type",
            "application/octet-stream");
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("payload_too_large");
    }

    @Test
    void addsAnAdminRouteBesideTheShippedOnes() {
        HttpResponse<String> response = atlas.post("/admin/echo", new byte[100], "Content-Type",
            "application/octet-stream");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("100");
    }

    @Test
    void replacesAShippedRouteWithTheAdminRouteOfTheSameId() {
        HttpResponse<String> response = atlas.get("/health/live");
        assertThat(response.body()).isEqualTo("replaced-by-admin");
    }

    @Test
    void neverEchoesARepeatedRequestHeaderBackInAnyCase() {
        HttpResponse<String> response = atlas.post("/admin/echo", new byte[1], "Content-Type",
            "application/octet-stream", "X-Secret-Probe", "first-value", "x-secret-probe", "second-value",
            "AtlasAppId", "smuggled");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("X-Secret-Probe")
            || h.equalsIgnoreCase("AtlasAppId"));
        assertThat(response.headers().map().values()).noneMatch(v -> v.contains("first-value")
            || v.contains("second-value") || v.contains("smuggled"));
    }

    @Test
    void aLineAnAdminStepLogsNamesTheRequestItServes() throws Exception {
        java.util.List<ch.qos.logback.classic.spi.ILoggingEvent> lines = dev.atlas.testkit.LogLines.during(
            "dev.atlas.test.admin-log", () -> {
                for (String id : java.util.List.of("probe-41", "probe-42", "probe-43")) {
                    HttpResponse<String> response = atlas.post("/admin/log", new byte[1], "X-Request-Id", id);
                    assertThat(response.body()).isEqualTo("logged");
                    assertThat(response.headers().firstValue("X-Request-Id")).contains(id);
                }
            });
        assertThat(lines).extracting(line -> line.getMDCPropertyMap().get("requestId"))
            .containsExactly("probe-41", "probe-42", "probe-43");
    }

    @Test
    void neverEchoesRequestHeadersBack() {
        HttpResponse<String> response = atlas.post("/admin/echo", new byte[1], "Content-Type",
            "application/octet-stream", "X-Secret-Probe", "do-not-echo");
        assertThat(response.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("X-Secret-Probe"));
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }
}
