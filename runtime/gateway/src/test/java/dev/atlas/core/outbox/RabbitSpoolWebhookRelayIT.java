package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/** The webhook relay on the RabbitMQ spool, against the real broker on 127.0.0.1:5672. */
class RabbitSpoolWebhookRelayIT extends WebhookRelayIT {
    private final String queue = "atlas.webhooks.it." + UUID.randomUUID();

    @Override
    String spoolConfig() {
        return """
            rabbitmq:
              uri: amqp://guest:guest@127.0.0.1:5672/
            webhooks:
              spool: rabbitmq
              queue: %s
              maxAttempts: 3
              maxBackoff: 1s
            """.formatted(queue);
    }

    /** Runs {@code work} against the test broker on a connection of its own (the same Spring AMQP stack as Atlas). */
    private static <T> T withBroker(Function<CachingConnectionFactory, T> work) {
        CachingConnectionFactory factory = new CachingConnectionFactory(URI.create("amqp://guest:guest@127.0.0.1:5672"));
        try {
            return work.apply(factory);
        } finally {
            factory.destroy();
        }
    }

    @Override
    long pendingCount() {
        return withBroker(factory -> new RabbitAdmin(factory).getQueueInfo(queue).getMessageCount());
    }

    @Override
    void cleanUp() {
        withBroker(factory -> {
            RabbitAdmin admin = new RabbitAdmin(factory);
            admin.deleteQueue(queue);
            admin.deleteQueue(queue + ".dead");
            return admin.deleteQueue(queue + ".retry.1s");
        });
    }

    @Test
    void deadLettersARecordSomeonePublishedStraightToTheQueueAndNeverDeliversOrReplaysIt() throws Exception {
        String forged = "d-forged-" + UUID.randomUUID();
        for (String seal : new String[] {null, "00".repeat(32)}) {
            MessageProperties properties = new MessageProperties();
            properties.setHeader("x-atlas-id", forged);
            properties.setHeader("x-atlas-vcs", "fakevcs");
            properties.setHeader("x-atlas-app", "fake-main");
            properties.setHeader("x-atlas-received-at", Instant.now().toString());
            properties.setHeader("x-atlas-attempts", 0);
            properties.setHeader("x-atlas-headers", "{\"x-fake-event\":\"push\"}");
            if (seal != null) {
                properties.setHeader(RabbitWebhookSpool.SEAL, seal);
            }
            properties.setMessageId(UUID.randomUUID().toString());
            properties.setContentType("application/json");
            properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
            Message message = new Message("{\"action\":\"forged\"}".getBytes(StandardCharsets.UTF_8), properties);
            withBroker(factory -> {
                new RabbitTemplate(factory).send("", queue, message);
                return null;
            });
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> cli("webhooks", "list", "--config", config.toString(),
            "--dead").lines().filter(l -> l.contains(forged)).count() == 2);
        assertThat(cli("webhooks", "list", "--config", config.toString(), "--dead")).contains("seal does not verify");
        assertThat(cli("webhooks", "replay", "--config", config.toString(), forged)).doesNotContain("replayed " + forged);
        // a genuine webhook sent afterwards goes out, the forged ones never did
        String genuine = "d-genuine-" + UUID.randomUUID();
        sendValid(uniqueBody(), genuine);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(genuine).size() == 1);
        assertThat(deliveriesOf(forged)).isEmpty();
    }

    @Test
    void eachAcceptancesBrokerConfirmIsTimedOnTheMetricsPageUnderTheWebhooksSpool() {
        assertThat(sendValid(uniqueBody(), "d-confirm-" + UUID.randomUUID()).statusCode()).isEqualTo(202);
        // the 202 came after the broker's confirm, which was timed before the acceptance returned
        assertThat(atlas.get("/metrics").body())
            .containsPattern("atlas_spool_broker_confirm_seconds_count\\{spool=\"webhooks\",?\\} [1-9]")
            .doesNotContain("atlas_spool_journal_sync_seconds_count{spool=\"webhooks\"");
    }
}
