package dev.atlas.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.core.fakes.FakeDriverFactory;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Task ingress over RabbitMQ against the real broker on 127.0.0.1:5672 (guest/guest; {@code .ci/run} starts it):
 * replies with the correlation id kept, dead letters with a reason, retries while the driver is down, one job per
 * task id, and a consumer that comes back after the broker restarted. Fails (never skips) without a broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskQueueIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLOUD = "https://asgard.example";

    final String queue = "atlas.it.tasks." + UUID.randomUUID();
    RunningAtlas atlas;
    CachingConnectionFactory factory;
    RabbitTemplate template;
    RabbitAdmin admin;
    String replies;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        factory = new CachingConnectionFactory("127.0.0.1", 5672);
        factory.setUsername("guest");
        factory.setPassword("guest");
        template = new RabbitTemplate(factory);
        admin = new RabbitAdmin(factory);
        replies = "atlas.it.replies." + UUID.randomUUID();
        admin.declareQueue(new Queue(replies, true, false, false)); // durable: one test restarts the broker
        Path config = TestConfigs.write(dir, TaskSamples.config(0, CLOUD, """
              rabbitmq:
                enabled: true
                queue: %s
                maxAttempts: 3
                maxBackoff: 1s
                consumers: 2
            """.formatted(queue), """
            rabbitmq:
              uri: amqp://guest:guest@127.0.0.1:5672/
            """));
        atlas = RunningAtlas.start(config, Map.of());
    }

    @AfterAll
    void stop() {
        try {
            atlas.close();
        } finally {
            try {
                admin.deleteQueue(queue);
                admin.deleteQueue(queue + ".retry");
                admin.deleteQueue(queue + ".dead");
                admin.deleteQueue(replies);
            } finally {
                factory.destroy();
            }
        }
    }

    @AfterEach
    void driverUp() {
        FakeDriverFactory.down = false;
    }

    private void publish(String body, String correlationId) {
        publish(queue, body, correlationId, "Bearer " + TaskSamples.cloudToken(), Map.of());
    }

    private void publish(String target, String body, String correlationId, String authorization,
        Map<String, Object> headers) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/json");
        properties.setReplyTo(replies);
        properties.setCorrelationId(correlationId);
        if (authorization != null) {
            properties.setHeader("authorization", authorization);
        }
        headers.forEach(properties::setHeader);
        if (target.endsWith(".retry")) {
            properties.setExpiration("10"); // the retry queue hands it back to the main queue, as Atlas's retries do
        }
        template.send("", target, new Message(body.getBytes(StandardCharsets.UTF_8), properties));
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> forgedMessages() {
        String expired = TaskSamples.cloudToken().replaceFirst("\\.[^.]*$", ".AAAA");
        return java.util.stream.Stream.of(
            org.junit.jupiter.params.provider.Arguments.of("no authorization header", "main", null, Map.of()),
            org.junit.jupiter.params.provider.Arguments.of("a token with a broken signature", "main",
                "Bearer " + expired, Map.of()),
            org.junit.jupiter.params.provider.Arguments.of("not a bearer token", "main", "Basic Z3Vlc3Q6Z3Vlc3Q=",
                Map.of()),
            org.junit.jupiter.params.provider.Arguments.of("a retry message with a made-up seal", "retry", null,
                Map.of("x-atlas-attempt", 2, "x-atlas-seal", "00".repeat(32))),
            org.junit.jupiter.params.provider.Arguments.of("a retry message without a seal", "retry", null,
                Map.of("x-atlas-attempt", 2)));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("forgedMessages")
    void deadLettersATaskMessageWithoutTheCloudsTokenAndStartsNoJob(String attack, String where,
        String authorization, Map<String, Object> headers) throws Exception {
        String taskId = "q-forged-" + UUID.randomUUID();
        String correlationId = "corr-" + taskId;
        publish(where.equals("main") ? queue : queue + ".retry", task(taskId), correlationId, authorization, headers);
        Message reply = replyFor(correlationId);
        assertThat(json(reply).get("error").asText()).isEqualTo("unauthorized");
        assertThat(json(reply).get("message").asText()).startsWith("authorization: ");
        Message dead = template.receive(queue + ".dead", 10_000);
        assertThat(dead).isNotNull();
        assertThat(dead.getMessageProperties().getCorrelationId()).isEqualTo(correlationId);
        assertThat(FakeDriverFactory.JOBS).doesNotContainKey(taskId);
    }

    private String task(String taskId) {
        return TaskSamples.analysis(CLOUD, ", \"taskId\": \"" + taskId + "\"");
    }

    private Message replyFor(String correlationId) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Message reply = template.receive(replies, 1000);
            if (reply != null && correlationId.equals(reply.getMessageProperties().getCorrelationId())) {
                return reply;
            }
        }
        throw new AssertionError("no reply for " + correlationId);
    }

    private static JsonNode json(Message message) throws IOException {
        return JSON.readTree(message.getBody());
    }

    @Test
    void acceptsATaskAndRepliesWithTheHttpAnswerKeepingTheCorrelationId() throws Exception {
        String taskId = "q-" + UUID.randomUUID();
        publish(task(taskId), "corr-" + taskId);
        Message reply = replyFor("corr-" + taskId);
        JsonNode body = json(reply);
        assertThat(body.get("taskId").asText()).isEqualTo(taskId);
        assertThat(body.get("status").asText()).isEqualTo("accepted");
        assertThat(body.get("jobRef").asText()).isEqualTo("fake/" + JobBuilder.jobName(taskId));
        assertThat(reply.getMessageProperties().getHeaders()).containsEntry("x-atlas-status", 201);
        assertThat(FakeDriverFactory.JOBS).containsKey(taskId);
    }

    @Test
    void consumesOnThreadsNamedForTheTaskQueue() throws Exception {
        String taskId = "q-" + UUID.randomUUID();
        publish(task(taskId), "corr-" + taskId);
        replyFor("corr-" + taskId);
        // the name every log line of the dispatch carries as its threadName
        assertThat(FakeDriverFactory.SUBMITTED_ON.get(taskId)).matches("atlas-task-queue-\\d+");
    }

    @Test
    void deadLettersAnInvalidMessageWithTheReason() throws Exception {
        String correlationId = "corr-bad-" + UUID.randomUUID();
        publish(task("q-" + UUID.randomUUID()).replace("500m", "a lot"), correlationId);
        Message reply = replyFor(correlationId);
        assertThat(json(reply).get("error").asText()).isEqualTo("invalid_request");
        Message dead = template.receive(queue + ".dead", 10_000);
        assertThat(dead).isNotNull();
        assertThat(dead.getMessageProperties().getCorrelationId()).isEqualTo(correlationId);
        assertThat((String) dead.getMessageProperties().getHeader("x-atlas-reason"))
            .isEqualTo("analyzers[0].cpu: not a Kubernetes quantity");
    }

    @Test
    void retriesWhileTheDriverIsDownThenAcceptsOnceItIsBack() throws Exception {
        String taskId = "q-retry-" + UUID.randomUUID();
        FakeDriverFactory.down = true;
        int before = FakeDriverFactory.SUBMITS.get();
        publish(task(taskId), "corr-" + taskId);
        await().atMost(Duration.ofSeconds(30)).until(() -> FakeDriverFactory.SUBMITS.get() > before);
        FakeDriverFactory.down = false;
        Message reply = replyFor("corr-" + taskId);
        assertThat(json(reply).get("status").asText()).isEqualTo("accepted");
        assertThat((Integer) reply.getMessageProperties().getHeader("x-atlas-status")).isEqualTo(201);
        assertThat(FakeDriverFactory.JOBS).containsKey(taskId);
        assertThat(atlas.get("/metrics").body()).contains("atlas_tasks_retried_total");
        // the retries were Atlas's own sealed messages: they needed no fresh JWT from the cloud
    }

    @Test
    void startsOneJobForATaskDeliveredTwice() throws Exception {
        String taskId = "q-dup-" + UUID.randomUUID();
        publish(task(taskId), "first-" + taskId);
        JsonNode first = json(replyFor("first-" + taskId));
        int submits = FakeDriverFactory.SUBMITS.get();
        publish(task(taskId), "second-" + taskId);
        Message second = replyFor("second-" + taskId);
        assertThat(json(second).get("jobRef")).isEqualTo(first.get("jobRef"));
        assertThat((Integer) second.getMessageProperties().getHeader("x-atlas-status")).isEqualTo(200);
        assertThat(FakeDriverFactory.SUBMITS.get()).isEqualTo(submits);
    }

    @Test
    void consumesAgainAfterTheBrokerRestarted() throws Exception {
        rabbitmqctl("stop_app");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> atlas.get("/health/ready").statusCode() == 503);
        } finally {
            rabbitmqctl("start_app");
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
            .until(() -> atlas.get("/health/ready").statusCode() == 200);
        String taskId = "q-restart-" + UUID.randomUUID();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            publish(task(taskId), "corr-" + taskId);
            return true;
        });
        Message reply = replyFor("corr-" + taskId);
        assertThat(json(reply).get("taskId").asText()).isEqualTo(taskId);
        assertThat(FakeDriverFactory.JOBS).containsKey(taskId);
    }

    private static void rabbitmqctl(String command) throws Exception {
        Process process = new ProcessBuilder("rabbitmqctl", "-n", "rabbit@localhost", command)
            .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("rabbitmqctl %s: %s", command, output).isZero();
    }
}
