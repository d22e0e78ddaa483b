package dev.atlas.tasks.jobs;

import static dev.atlas.tasks.jobs.ResultsHarness.CLOUD_KEY;
import static dev.atlas.tasks.jobs.ResultsHarness.JSON;
import static dev.atlas.tasks.jobs.ResultsHarness.headers;
import static dev.atlas.tasks.jobs.ResultsHarness.post;
import static dev.atlas.tasks.jobs.ResultsHarness.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.core.fakes.FakeCloud;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.tokens.Task;
import dev.atlas.core.tokens.TaskTokens;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code POST /jobs/{taskId}/results} over real HTTP, forwarding to a fake cloud. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResultsEndpointIT {
    private static final byte[] RESULT = "{\"taskId\":\"x\",\"status\":\"ok\",\"detail\":\"\u00e9\",\"n\":[1,2]}"
        .getBytes(StandardCharsets.UTF_8);

    FakeCloud cloud;
    RunningAtlas atlas;
    Path dir;
    String taskId;
    String token;
    JobSpec job;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        cloud = FakeCloud.start();
        atlas = RunningAtlas.start(ResultsHarness.config(dir, cloud.url()), Map.of());
    }

    @AfterAll
    void stop() {
        atlas.close();
        cloud.close();
    }

    @BeforeEach
    void newTask() {
        cloud.clear();
        taskId = ResultsHarness.taskId();
        job = ResultsHarness.analysis(atlas, cloud.url(), taskId);
        token = secret(job, "result-token");
    }

    private List<FakeCloud.Request> forwarded(String id) {
        return cloud.requests().stream().filter(r -> id.equals(r.header("webhook-id"))).toList();
    }

    @Test
    void recordsAResultAndForwardsItByteForByteSignedForTheCloud() throws Exception {
        HttpResponse<String> response = post(atlas, taskId, RESULT, headers(token, "lint.json"));
        assertThat(response.statusCode()).isEqualTo(202);
        String id = JSON.readTree(response.body()).get("id").asText();
        assertThat(id).matches("[A-Za-z0-9_-]+");

        await().atMost(Duration.ofSeconds(10)).until(() -> forwarded(id).size() == 1);
        FakeCloud.Request got = forwarded(id).get(0);
        assertThat(got.method()).isEqualTo("POST");
        assertThat(got.path()).isEqualTo("/results/" + taskId);
        assertThat(got.body()).isEqualTo(RESULT);
        assertThat(got.header("content-type")).isEqualTo("application/json");
        assertThat(got.header("x-atlas-runner-id")).isEqualTo("test-runner");
        assertThat(got.header("x-atlas-app-id")).isEqualTo("fake-main");
        assertThat(got.header("x-atlas-task-id")).isEqualTo(taskId);
        assertThat(got.header("x-atlas-result-name")).isEqualTo("lint.json");
        assertThat(got.headers()).doesNotContainKeys("authorization", "x-atlas-vcs");
        String timestamp = got.header("webhook-timestamp");
        assertThat(Long.parseLong(timestamp)).isCloseTo(Instant.now().getEpochSecond(),
            org.assertj.core.data.Offset.offset(60L));
        assertThat(got.header("webhook-signature")).isEqualTo("v1," + Base64.getEncoder().encodeToString(
            hmac((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), RESULT)));
        assertThat(got.header("x-atlas-signature-256")).isEqualTo("sha256=" + HexFormat.of().formatHex(hmac(RESULT)));
        assertThat(atlas.get("/metrics").body()).contains("atlas_jobs_results_total{outcome=\"recorded\"}")
            .contains("atlas_jobs_results_total{outcome=\"delivered\"}").contains("atlas_jobs_results_bytes");
    }

    @Test
    void logsEachResultBySizeTaskAndStatusButNeverItsContentOrToken() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
            .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Logger atlasLogs = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
            .getLogger("dev.atlas");
        ch.qos.logback.classic.Level level = atlasLogs.getLevel();
        atlasLogs.setLevel(ch.qos.logback.classic.Level.INFO);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
            new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            byte[] secretish = "{\"finding\":\"MARKER-7f3a in src/Main.java\"}".getBytes(StandardCharsets.UTF_8);
            String id = JSON.readTree(post(atlas, taskId, secretish, headers(token, "log.json")).body()).get("id")
                .asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> forwarded(id).size() == 1);
            post(atlas, taskId, "not json".getBytes(StandardCharsets.UTF_8), headers(token, "bad.json"));
            await().atMost(Duration.ofSeconds(5)).until(() -> logs.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains("forwarded to the cloud")));
            List<String> lines = logs.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .toList();
            assertThat(lines).anyMatch(l -> l.contains("log.json") && l.contains(taskId)
                && l.contains(secretish.length + " bytes") && l.contains("202"));
            assertThat(lines).anyMatch(l -> l.contains(taskId) && l.contains("415"));
            assertThat(lines).noneMatch(l -> l.contains("MARKER-7f3a") || l.contains(token));
        } finally {
            root.detachAppender(logs);
            atlasLogs.setLevel(level);
        }
    }

    @Test
    void answersARepeatOfTheSameFileAsADuplicateAndForwardsItOnce() throws Exception {
        HttpResponse<String> first = post(atlas, taskId, RESULT, headers(token, "a.json"));
        HttpResponse<String> again = post(atlas, taskId, RESULT, headers(token, "a.json"));
        assertThat(again.statusCode()).isEqualTo(202);
        JsonNode answer = JSON.readTree(again.body());
        String id = JSON.readTree(first.body()).get("id").asText();
        assertThat(answer.get("id").asText()).isEqualTo(id);
        assertThat(answer.get("duplicate").asBoolean()).isTrue();

        HttpResponse<String> other = post(atlas, taskId, RESULT, headers(token, "b.json"));
        String otherId = JSON.readTree(other.body()).get("id").asText();
        assertThat(otherId).isNotEqualTo(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> forwarded(otherId).size() == 1);
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).until(() -> forwarded(id).size() == 1);
        assertThat(post(atlas, taskId, RESULT, headers(token, "a.json")).body()).contains("\"duplicate\":true");
    }

    Stream<Arguments> badTokens() throws Exception {
        String other = ResultsHarness.taskId();
        JobSpec otherJob = ResultsHarness.analysis(atlas, cloud.url(), other);
        JobSpec patchJob = ResultsHarness.patch(atlas, cloud.url(), ResultsHarness.taskId());
        return Stream.of(
            Arguments.of("no Authorization header", null),
            Arguments.of("not a bearer token", "Basic " + Base64.getEncoder().encodeToString("a:b".getBytes())),
            Arguments.of("garbage", "Bearer not-a-jwt"),
            Arguments.of("another task's result token", "Bearer " + secret(otherJob, "result-token")),
            Arguments.of("the task's git token", "Bearer " + secret(otherJob, "clone-token")),
            Arguments.of("a patch's proxy token", "Bearer " + secret(patchJob, "proxy-token")),
            Arguments.of("an expired result token", "Bearer " + expiredToken()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void refusesAResultWithoutThisTasksValidResultTokenWith401(String why, String authorization) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(headers(token, "x.json"));
        headers.remove("Authorization");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        HttpResponse<String> response = post(atlas, taskId, RESULT, headers);
        assertThat(response.statusCode()).as(why).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("unauthorized");
        assertThat(response.body()).doesNotContain(token.substring(0, 20));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> cloud.requests().stream()
            .noneMatch(r -> taskId.equals(r.header("x-atlas-task-id"))));
    }

    @Test
    void acceptsTheOtherTasksOwnTokenOnlyOnItsOwnPath() throws Exception {
        String other = ResultsHarness.taskId();
        String otherToken = secret(ResultsHarness.analysis(atlas, cloud.url(), other), "result-token");
        assertThat(post(atlas, other, RESULT, headers(otherToken, "x.json")).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> cloud.requests().size() == 1);
        assertThat(cloud.requests().get(0).path()).isEqualTo("/results/" + other);
    }

    /** A result token signed with Atlas's keys two hours ago for a task limited to one minute. */
    private String expiredToken() throws Exception {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        SigningKeys keys = SigningKeys.read(dir.resolve("data/keys"), past);
        TaskTokens tokens = new TaskTokens(keys, URI.create("http://127.0.0.1:0"), URI.create(cloud.url()), past);
        return tokens.resultToken(new Task(taskId, "analysis", "fake-main", Optional.empty(), Optional.empty(),
            Optional.of(URI.create(cloud.url() + "/results/" + taskId)), Duration.ofMinutes(1),
            new Task.Analysis(List.of(), Optional.empty()), JsonNodeFactory.instance.objectNode()));
    }

    @Test
    void refusesAResultOverTheLimitWith413WhetherItsLengthIsDeclaredOrNot() throws Exception {
        byte[] big = ("{\"x\":\"" + "a".repeat(ResultsHarness.MAX_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> declared = post(atlas, taskId, big, headers(token, "big.json"));
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(declared.body()).get("error").asText()).isEqualTo("payload_too_large");

        HttpRequest.Builder chunked = HttpRequest.newBuilder(URI.create(atlas.url("/jobs/" + taskId + "/results")))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
        headers(token, "big.json").forEach(chunked::header);
        assertThat(atlas.send(chunked.build()).statusCode()).isEqualTo(413);

        byte[] atLimit = ("{\"x\":\"" + "a".repeat(ResultsHarness.MAX_BYTES - 8) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(atLimit.length).isEqualTo(ResultsHarness.MAX_BYTES);
        assertThat(post(atlas, taskId, atLimit, headers(token, "fits.json")).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> cloud.requests().size() == 1);
        assertThat(cloud.requests().get(0).header("x-atlas-result-name")).isEqualTo("fits.json");
    }

    @Test
    void refusesADeclaredLengthOverTheLimitBeforeLookingAtTheRequest() throws Exception {
        byte[] big = new byte[ResultsHarness.MAX_BYTES + 1];
        // no token: the processor would answer 401; the length is refused first, before the body is read
        HttpResponse<String> response = post(atlas, taskId, big, Map.of("Content-Type", "application/json"));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).get("message").asText()).contains(String.valueOf(ResultsHarness.MAX_BYTES));
        assertThat(atlas.get("/metrics").body()).contains("atlas_jobs_results_total{outcome=\"too_large\"}");
    }

    Stream<Arguments> notJson() {
        return Stream.of(
            Arguments.of("JSON sent as text/plain", "text/plain", RESULT, 415),
            Arguments.of("a form", "application/x-www-form-urlencoded", "a=1&b=2".getBytes(), 415),
            Arguments.of("a multipart form", "multipart/form-data; boundary=x",
                "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n".getBytes(), 415),
            Arguments.of("no Content-Type", null, RESULT, 415),
            Arguments.of("a JSON type lookalike", "application/jsonx", RESULT, 415),
            Arguments.of("not JSON at all", "application/json", "status: ok".getBytes(), 415),
            Arguments.of("an empty body", "application/json", new byte[0], 415),
            Arguments.of("JSON followed by more", "application/json", "{\"a\":1} {\"a\":2}".getBytes(), 415),
            Arguments.of("a truncated document", "application/json", "{\"a\":".getBytes(), 415),
            Arguments.of("a key twice", "application/json", "{\"status\":\"ok\",\"status\":\"failed\"}".getBytes(), 400),
            Arguments.of("a key twice, nested", "application/json", "{\"d\":{\"a\":1,\"a\":2}}".getBytes(), 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notJson")
    void refusesWhatIsNotOneJsonDocument(String why, String type, byte[] body, int status) {
        Map<String, String> headers = new LinkedHashMap<>(headers(token, "r.json"));
        headers.remove("Content-Type");
        if (type != null) {
            headers.put("Content-Type", type);
        }
        assertThat(post(atlas, taskId, body, headers).statusCode()).as(why).isEqualTo(status);
        // nothing of this task reaches the cloud (an earlier test's delivery may still arrive: filter by task)
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> cloud.requests().stream()
            .noneMatch(r -> taskId.equals(r.header("x-atlas-task-id"))));
    }

    @Test
    void acceptsJsonWithACharsetParameter() {
        Map<String, String> headers = new LinkedHashMap<>(headers(token, "r.json"));
        headers.put("Content-Type", "Application/JSON; charset=utf-8");
        assertThat(post(atlas, taskId, RESULT, headers).statusCode()).isEqualTo(202);
    }

    Stream<Arguments> badNames() {
        return Stream.of(Arguments.of((String) null), Arguments.of(""), Arguments.of("../etc/passwd"),
            Arguments.of("a/b.json"), Arguments.of("a b.json"), Arguments.of("x".repeat(129)),
            Arguments.of("r\u00e9sultat.json"), Arguments.of("a%2Fb.json"));
    }

    @ParameterizedTest
    @MethodSource("badNames")
    void refusesAResultWhoseFileNameIsNotPlainWith400(String name) {
        Map<String, String> headers = new LinkedHashMap<>(headers(token, "x"));
        headers.remove("X-Atlas-Result-Name");
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(atlas.url("/jobs/" + taskId + "/results")))
            .POST(HttpRequest.BodyPublishers.ofByteArray(RESULT));
        headers.forEach(builder::header);
        if (name != null) {
            builder.header("X-Atlas-Result-Name", name);
        }
        assertThat(atlas.send(builder.build()).statusCode()).isEqualTo(400);
    }

    @Test
    void refusesTwoFileNamesInOneRequest() {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(atlas.url("/jobs/" + taskId + "/results")))
            .POST(HttpRequest.BodyPublishers.ofByteArray(RESULT)).header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json").header("X-Atlas-Result-Name", "a.json")
            .header("X-Atlas-Result-Name", "b.json");
        assertThat(atlas.send(builder.build()).statusCode()).isEqualTo(400);
    }

    @Test
    void retriesWhenTheCloudAnswers503AndDeliversOnce() throws Exception {
        cloud.answer(503);
        HttpResponse<String> response = post(atlas, taskId, RESULT, headers(token, "retry.json"));
        String id = JSON.readTree(response.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> forwarded(id).size() == 2);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> forwarded(id).size() == 2);
        assertThat(forwarded(id)).extracting(FakeCloud.Request::answered).containsExactly(503, 200);
        assertThat(forwarded(id).get(1).body()).isEqualTo(RESULT);
        assertThat(forwarded(id).get(1).header("webhook-id")).isEqualTo(forwarded(id).get(0).header("webhook-id"));
        assertThat(atlas.get("/metrics").body()).contains("atlas_jobs_results_total{outcome=\"retried\"}");
    }

    @Test
    void deadLettersAResultTheCloudRefusesWithA4xxWithoutRetrying() throws Exception {
        cloud.answer(422);
        HttpResponse<String> response = post(atlas, taskId, RESULT, headers(token, "refused.json"));
        String id = JSON.readTree(response.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> forwarded(id).size() == 1);
        Path dead = dir.resolve("data/jobs/results/dead");
        await().atMost(Duration.ofSeconds(5)).until(() -> java.nio.file.Files.list(dead).findAny().isPresent());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> forwarded(id).size() == 1);
    }

    private static byte[] hmac(byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(CLOUD_KEY, "HmacSHA256"));
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }
}
