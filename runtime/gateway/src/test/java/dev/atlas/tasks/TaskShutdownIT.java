package dev.atlas.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atlas.core.fakes.FakeDriverFactory;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A graceful stop while a dispatch is held in the driver: new tasks get 503, the one under way completes. */
class TaskShutdownIT {
    private static final String CLOUD = "https://asgard.example";

    @AfterEach
    void openTheGate() {
        CountDownLatch gate = FakeDriverFactory.gate;
        FakeDriverFactory.gate = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    private static HttpRequest post(RunningAtlas atlas, String taskId) {
        return HttpRequest.newBuilder(URI.create(atlas.url("/api/tasks/" + taskId)))
            .POST(HttpRequest.BodyPublishers.ofString(TaskSamples.analysis(CLOUD, "")))
            .header("Authorization", "Bearer " + TaskSamples.cloudToken()).build();
    }

    @Test
    void refusesNewTasksWith503DuringAStopAndFinishesTheDispatchUnderWay(@TempDir Path dir) throws Exception {
        Path config = TestConfigs.write(dir, TaskSamples.config(0, CLOUD, "", ""));
        RunningAtlas atlas = RunningAtlas.start(config, Map.of());
        CountDownLatch gate = new CountDownLatch(1);
        FakeDriverFactory.blocked = new CountDownLatch(1);
        FakeDriverFactory.gate = gate;
        // HTTP/1.1 as the cloud's clients speak it; over h2c a server's GOAWAY at close can fail a finished stream
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).build();

        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(post(atlas, "t-in-flight"),
            HttpResponse.BodyHandlers.ofString());
        assertThat(FakeDriverFactory.blocked.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(atlas::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> atlas.app().lifecycle().stopping());
        HttpResponse<String> refused = http.send(post(atlas, "t-too-late"), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(stopping).isNotDone();

        gate.countDown();
        assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        stopping.get(20, TimeUnit.SECONDS);
        assertThat(FakeDriverFactory.JOBS).containsKey("t-in-flight").doesNotContainKey("t-too-late");
    }
}
