package dev.atlas.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.core.fakes.FakeDriverFactory;
import dev.atlas.core.fakes.FakeVcsProviderFactory;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The task API over real HTTP, on the fake driver and fake VCS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLOUD = "https://asgard.example";

    RunningAtlas atlas;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        String other = "      - id: fake-other\n        vcs: fakevcs\n        webUrl: https://vcs.example\n"
            + "        apiUrl: https://vcs.example/api\n        webhookSecret: hook-secret-2\n        fakevcs:\n"
            + "          flavour: plain\n"
            + "      - id: fake-nopr\n        vcs: fakevcs\n        webUrl: https://vcs.example\n"
            + "        apiUrl: https://vcs.example/api\n        webhookSecret: hook-secret-3\n        fakevcs:\n"
            + "          flavour: spicy\n";
        Path config = TestConfigs.write(dir, TaskSamples.config(0, CLOUD, "  timeLimit: 20m\n", "")
            .replace("tasks:\n  driver", other + "tasks:\n  driver"));
        atlas = RunningAtlas.start(config, Map.of());
    }

    @AfterAll
    void stop() {
        atlas.close();
    }

    @AfterEach
    void backUp() {
        FakeDriverFactory.down = false;
        FakeVcsProviderFactory.credentialsUnreachable = false;
    }

    private HttpResponse<String> send(String method, String taskId, String body, boolean authenticated) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(atlas.url("/api/tasks/" + taskId)))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .header("Content-Type", "application/json");
        if (authenticated) {
            builder.header("Authorization", "Bearer " + TaskSamples.cloudToken());
        }
        return atlas.send(builder.build());
    }

    private HttpResponse<String> post(String taskId, String body) {
        return send("POST", taskId, body, true);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static String id() {
        return "t-" + UUID.randomUUID();
    }

    @Test
    void acceptsAnAnalysisTaskWith201OnceTheDriverAcceptedIt() throws Exception {
        String taskId = id();
        HttpResponse<String> response = post(taskId, TaskSamples.analysis(CLOUD, ""));
        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode body = json(response);
        assertThat(body.get("taskId").asText()).isEqualTo(taskId);
        assertThat(body.get("type").asText()).isEqualTo("analysis");
        assertThat(body.get("driver").asText()).isEqualTo("fake");
        assertThat(body.get("jobRef").asText()).isEqualTo("fake/" + JobBuilder.jobName(taskId));
        assertThat(body.get("status").asText()).isEqualTo("accepted");

        JobSpec job = FakeDriverFactory.JOBS.get(taskId);
        // the job gets Atlas's git token for its one repository, never the VCS's clone credential
        assertThat(job.secretFiles().get("clone-token").reveal())
            .isNotEqualTo(FakeVcsProviderFactory.cloneToken("acme", "widgets"))
            .satisfies(token -> assertThat(com.nimbusds.jwt.SignedJWT.parse(token).getHeader().getType().getType())
                .isEqualTo("atlas-git+jwt"));
        assertThat(JSON.readTree(job.taskFiles().get("task.json")).get("taskId").asText()).isEqualTo(taskId);
    }

    @Test
    void answersARepeatOfTheSameTaskWith200AndTheSameJobWithoutReachingTheDriver() throws Exception {
        String taskId = id();
        HttpResponse<String> first = post(taskId, TaskSamples.analysis(CLOUD, ""));
        int submits = FakeDriverFactory.SUBMITS.get();
        HttpResponse<String> again = post(taskId, TaskSamples.analysis(CLOUD, ""));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("jobRef")).isEqualTo(json(first).get("jobRef"));
        assertThat(FakeDriverFactory.SUBMITS.get()).isEqualTo(submits);
    }

    @Test
    void reportsTheStatusOfATaskAnd404ForAnUnknownOne() throws Exception {
        String taskId = id();
        post(taskId, TaskSamples.analysis(CLOUD, ""));
        HttpResponse<String> status = send("GET", taskId, null, true);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(json(status).get("status").asText()).isEqualTo("accepted");
        assertThat(json(status).get("type").asText()).isEqualTo("analysis");
        assertThat(json(status).has("state")).isFalse();
        assertThat(json(status).get("jobRef").asText()).isEqualTo("fake/" + JobBuilder.jobName(taskId));
        assertThat(send("GET", id(), null, true).statusCode()).isEqualTo(404);
    }

    @Test
    void cancelsByDeleteAndByACancelTask() throws Exception {
        String first = id();
        post(first, TaskSamples.analysis(CLOUD, ""));
        HttpResponse<String> deleted = send("DELETE", first, null, true);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(deleted).get("status").asText()).isEqualTo("cancelled");
        assertThat(FakeDriverFactory.JOBS).doesNotContainKey(first);
        assertThat(send("DELETE", first, null, true).statusCode()).isEqualTo(404);

        String second = id();
        post(second, TaskSamples.analysis(CLOUD, ""));
        String cancel = "{\"type\": \"cancel\", \"appId\": \"fake-main\", \"targetTaskId\": \"" + second + "\"}";
        HttpResponse<String> accepted = post(id(), cancel);
        assertThat(accepted.statusCode()).isEqualTo(201);
        assertThat(json(accepted).get("type").asText()).isEqualTo("cancel");
        assertThat(FakeDriverFactory.JOBS).doesNotContainKey(second);
        assertThat(post(id(), cancel).statusCode()).isEqualTo(404);
    }

    @Test
    void refusesATokenTheCloudSignedForAnotherRunner() {
        HttpResponse<String> response = atlas.post("/api/tasks/" + id(), TaskSamples.analysis(CLOUD, "")
            .getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer "
            + TaskSamples.cloudToken("another-customers-runner"), "Content-Type", "application/json");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("aud");
    }

    @Test
    void refusesACallerWithoutTheCloudsToken() {
        assertThat(send("POST", id(), TaskSamples.analysis(CLOUD, ""), false).statusCode()).isEqualTo(401);
        assertThat(send("GET", id(), null, false).statusCode()).isEqualTo(401);
    }

    @Test
    void refusesAnInvalidTaskWith400NamingTheFieldAndAnUnknownAppWith404() throws Exception {
        int submits = FakeDriverFactory.SUBMITS.get();
        HttpResponse<String> bad = post(id(), TaskSamples.analysis(CLOUD, "").replace("256Mi", "lots"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("error").asText()).isEqualTo("invalid_request");
        assertThat(json(bad).get("message").asText()).isEqualTo("analyzers[0].memory: not a Kubernetes quantity");
        assertThat(json(bad).get("field").asText()).isEqualTo("analyzers[0].memory");

        assertThat(post("bad%2Fid", TaskSamples.analysis(CLOUD, "")).statusCode()).isEqualTo(400);
        assertThat(post(id(), "{not json").statusCode()).isEqualTo(400);
        assertThat(post(id(), TaskSamples.analysis(CLOUD, "").replace("fake-main", "no-such-app")).statusCode())
            .isEqualTo(404);
        assertThat(FakeDriverFactory.SUBMITS.get()).isEqualTo(submits);
    }

    @Test
    void refusesAPullRequestTheAppsPluginCannotOpenWith400BeforeAnyJob() throws Exception {
        int submits = FakeDriverFactory.SUBMITS.get();
        HttpResponse<String> refused = post(id(), TaskSamples.patch(CLOUD).replace("fake-main", "fake-nopr"));

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).get("message").asText()).startsWith("pullRequest:");
        assertThat(FakeDriverFactory.SUBMITS.get()).isEqualTo(submits);
        assertThat(post(id(), TaskSamples.patch(CLOUD)).statusCode()).isEqualTo(201);
    }

    @Test
    void answers503WithRetryAfterWhenTheDriverIsDownAndCreatesNothing() throws Exception {
        String taskId = id();
        FakeDriverFactory.down = true;
        HttpResponse<String> response = post(taskId, TaskSamples.analysis(CLOUD, ""));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(FakeDriverFactory.JOBS).doesNotContainKey(taskId);
        assertThat(atlas.get("/health/ready").statusCode()).isEqualTo(503);

        FakeDriverFactory.down = false;
        assertThat(post(taskId, TaskSamples.analysis(CLOUD, "")).statusCode()).isEqualTo(201);
    }

    @Test
    void acceptsATaskWhileTheVcsIsUnreachableSinceTheJobHoldsNoVcsCredential() {
        FakeVcsProviderFactory.credentialsUnreachable = true;
        assertThat(post(id(), TaskSamples.analysis(CLOUD, "")).statusCode()).isEqualTo(201);
    }

    @Test
    void answersTheSameTaskIdUnderAnotherAppWith409AndNeverWithTheOtherAppsJob() throws Exception {
        String taskId = id();
        HttpResponse<String> mine = post(taskId, TaskSamples.analysis(CLOUD, ""));
        assertThat(mine.statusCode()).isEqualTo(201);
        int submits = FakeDriverFactory.SUBMITS.get();
        HttpResponse<String> theirs = post(taskId, TaskSamples.analysis(CLOUD, "").replace("fake-main", "fake-other"));
        assertThat(theirs.statusCode()).isEqualTo(409);
        assertThat(theirs.body()).doesNotContain(json(mine).get("jobRef").asText()).doesNotContain("fake-main");
        assertThat(FakeDriverFactory.SUBMITS.get()).isEqualTo(submits);
        assertThat(FakeDriverFactory.JOBS.get(taskId).appId()).isEqualTo("fake-main");
    }

    @Test
    void refusesACancelOfAnotherAppsTaskAsIfThereWereNoJob() throws Exception {
        String victim = id();
        post(victim, TaskSamples.analysis(CLOUD, ""));
        String cancel = "{\"type\": \"cancel\", \"appId\": \"fake-other\", \"targetTaskId\": \"" + victim + "\"}";
        assertThat(post(id(), cancel).statusCode()).isEqualTo(404);
        assertThat(FakeDriverFactory.JOBS).containsKey(victim);
    }

    @Test
    void countsTasksInTheMetrics() {
        post(id(), TaskSamples.analysis(CLOUD, ""));
        String metrics = atlas.get("/metrics").body();
        assertThat(metrics).contains("atlas_tasks_received_total{driver=\"fake\",type=\"analysis\"}")
            .contains("atlas_tasks_accepted_total{driver=\"fake\",type=\"analysis\"}")
            .contains("atlas_tasks_dispatch_latency_seconds");
    }
}
