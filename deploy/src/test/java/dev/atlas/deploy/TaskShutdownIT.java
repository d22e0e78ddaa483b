package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while the cloud keeps posting tasks to a child {@code bin/atlas run} (local driver): the process exits 0,
 * every task answered 201 has its job, tasks after the stop began are answered 503 (or find the port closed), and
 * nothing is answered with a server error.
 */
class TaskShutdownIT {
    @TempDir
    Path dir;

    @Test
    void stopsCleanlyUnderTaskLoadWithEveryAcceptedTaskStartedAndNoServerError() throws Exception {
        // the GitHub API, for the clone credential every task gets
        com.sun.net.httpserver.HttpServer github = com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        github.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("{\"token\":\"ghs_sd\",\"expires_at\":\"" + java.time.Instant.now().plusSeconds(3600) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        github.start();
        int port = Distribution.freePort();
        Path config = Distribution.githubConfig(dir, port, "https://asgard.example", "hook");
        Files.writeString(config, Files.readString(config)
            .replace("apiUrl: https://github.example/api/v3", "apiUrl: http://127.0.0.1:" + github.getAddress().getPort()
                + "/api/v3")
            .replace("appId: \"12345\"", "appId: \"12345\"\n          installationId: \"99\"")
            .replace("  driver: local", "  driver: local\n  cloneStep: false"));
        Process atlas = Distribution.start(Map.of(), "run", "--config", config.toString());
        String base = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        String token = "Bearer " + Distribution.cloudToken();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            clients.execute(() -> {
                while (atlas.isAlive()) {
                    String id = "sd-" + next.incrementAndGet();
                    String task = """
                        {"type": "analysis", "appId": "gh-main",
                         "repository": {"cloneUrl": "https://github.example/acme/api.git", "ref": "main",
                                        "sha": "0123456789abcdef0123456789abcdef01234567"},
                         "resultUrl": "https://asgard.example/results/%s",
                         "analyzers": [{"name": "noop", "image": "busybox", "command": ["true"]}]}
                        """.formatted(id);
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/tasks/" + id))
                            .header("Authorization", token).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(task, StandardCharsets.UTF_8)).build(),
                            HttpResponse.BodyHandlers.ofString());
                        answers.put(id, r.statusCode());
                    } catch (ConnectException e) {
                        answers.put(id, -1);
                    } catch (Exception e) {
                        answers.put(id, -2);
                    }
                }
            });
        }
        await().atMost(Duration.ofSeconds(60)).alias("20 tasks accepted; answers so far: " + answers.values())
            .until(() -> answers.values().stream().filter(s -> s == 201).count() >= 20);
        atlas.destroy(); // SIGTERM under load
        assertThat(atlas.waitFor(60, TimeUnit.SECONDS)).isTrue();
        clients.shutdown();
        assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(atlas.exitValue()).as(Distribution.output(atlas)).isZero();
        assertThat(answers.values()).as("answers by status").allSatisfy(s -> assertThat(s).isIn(201, 503, -1, -2));
        assertThat(answers.values()).contains(201);
        Path jobs = dir.resolve("data/plugins/driver-local/jobs");
        answers.forEach((id, status) -> {
            if (status == 201) {
                assertThat(jobs.resolve("atlas-" + id)).as("job of accepted task " + id).exists();
            }
        });
        assertThat(Distribution.output(atlas)).contains("stopping: readiness is DOWN");
        github.stop(0);
    }
}
