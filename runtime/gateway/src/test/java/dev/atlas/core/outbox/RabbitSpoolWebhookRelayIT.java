package dev.atlas.core.outbox;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

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

    private static Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri("amqp://guest:guest@127.0.0.1:5672");
        return factory.newConnection();
    }

    @Override
    long pendingCount() throws Exception {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    @Override
    void cleanUp() throws Exception {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
            channel.queueDelete(queue + ".dead");
            channel.queueDelete(queue + ".retry.1s");
        }
    }

    @Test
    void deadLettersARecordSomeonePublishedStraightToTheQueueAndNeverDeliversOrReplaysIt() throws Exception {
        String forged = "d-forged-" + UUID.randomUUID();
        for (String seal : new String[] {null, "00".repeat(32)}) {
            Map<String, Object> headers = new HashMap<>();
            headers.put("x-atlas-id", forged);
            headers.put("x-atlas-vcs", "fakevcs");
            headers.put("x-atlas-app", "fake-main");
            headers.put("x-atlas-received-at", Instant.now().toString());
            headers.put("x-atlas-attempts", 0);
            headers.put("x-atlas-headers", "{\"x-fake-event\":\"push\"}");
            if (seal != null) {
                headers.put(RabbitWebhookSpool.SEAL, seal);
            }
            try (Connection connection = connect(); Channel channel = connection.createChannel()) {
                channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString())
                    .contentType("application/json").deliveryMode(2).headers(headers).build(),
                    "{\"action\":\"forged\"}".getBytes(StandardCharsets.UTF_8));
            }
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
}
