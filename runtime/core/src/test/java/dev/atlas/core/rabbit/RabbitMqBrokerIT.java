package dev.atlas.core.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The real broker that {@code .ci/run} starts is reachable on 127.0.0.1:5672 with guest/guest, and a message
 * published with a confirm comes back from a durable queue. Fails (never skips) when the broker is missing.
 */
class RabbitMqBrokerIT {

    @Test
    void publishesWithAConfirmAndReadsBackFromADurableQueue() {
        CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", 5672);
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
        try {
            RabbitAdmin admin = new RabbitAdmin(factory);
            String queue = "atlas.it." + UUID.randomUUID();
            admin.declareQueue(new Queue(queue, true, false, true));
            RabbitTemplate template = new RabbitTemplate(factory);
            Boolean confirmed = template.invoke(ops -> {
                ops.send("", queue, new Message("hello broker".getBytes(StandardCharsets.UTF_8), new MessageProperties()));
                return ops.waitForConfirms(5000);
            });
            assertThat(confirmed).isTrue();
            Message back = template.receive(queue, 5000);
            assertThat(back).isNotNull();
            assertThat(new String(back.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello broker");
            admin.deleteQueue(queue);
        } finally {
            factory.destroy();
        }
    }
}
