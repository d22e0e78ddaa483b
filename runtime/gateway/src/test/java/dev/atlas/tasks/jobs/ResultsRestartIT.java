package dev.atlas.tasks.jobs;

import static dev.atlas.tasks.jobs.ResultsHarness.JSON;
import static dev.atlas.tasks.jobs.ResultsHarness.headers;
import static dev.atlas.tasks.jobs.ResultsHarness.post;
import static dev.atlas.tasks.jobs.ResultsHarness.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atlas.core.fakes.FakeCloud;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.outbox.FileWebhookSpool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recorded result survives a stop of Atlas and is forwarded by the next start. */
class ResultsRestartIT {

    @Test
    void resumesAPendingResultAfterARestartAndDeliversItOnce(@TempDir Path dir) throws Exception {
        byte[] result = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
        try (FakeCloud cloud = FakeCloud.start()) {
            Path config = ResultsHarness.config(dir, cloud.url());
            String taskId = ResultsHarness.taskId();
            String id;
            try (RunningAtlas atlas = RunningAtlas.start(config, Map.of())) {
                cloud.answer(503, 503, 503, 503, 503, 503, 503, 503, 503, 503);
                String token = secret(ResultsHarness.analysis(atlas, cloud.url(), taskId), "result-token");
                id = JSON.readTree(post(atlas, taskId, result, headers(token, "lint.json")).body()).get("id").asText();
                await().atMost(Duration.ofSeconds(10)).until(() -> !cloud.requests().isEmpty());
            }
            assertThat(pending(dir)).isEqualTo(1);
            cloud.clear();

            try (RunningAtlas again = RunningAtlas.start(config, Map.of())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> cloud.requests().size() == 1);
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> cloud.requests().size() == 1);
                FakeCloud.Request got = cloud.requests().get(0);
                assertThat(got.answered()).isEqualTo(200);
                assertThat(got.header("webhook-id")).isEqualTo(id);
                assertThat(got.header("x-atlas-task-id")).isEqualTo(taskId);
                assertThat(got.path()).isEqualTo("/results/" + taskId);
                assertThat(got.body()).isEqualTo(result);
                await().atMost(Duration.ofSeconds(5)).until(() -> pending(dir) == 0);
            }
        }
    }

    /** The results spool's pending count, as {@code atlas webhooks list} reads it (from the journal). */
    private static int pending(Path dir) throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.openForTools(dir.resolve("data/jobs/results"))) {
            return spool.depth();
        }
    }
}
