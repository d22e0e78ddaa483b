package dev.atlas.core.webhooks;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.util.UUID;

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
}
