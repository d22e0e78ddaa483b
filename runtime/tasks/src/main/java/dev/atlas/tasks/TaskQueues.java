package dev.atlas.tasks;

import java.net.URI;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Address;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The broker side of task ingress over RabbitMQ: the connection ({@code rabbitmq.uri}), the three queues, and
 * publishing with publisher confirms. Queues, all durable:
 * <ul>
 *   <li>{@code <queue>}: the tasks; a quorum queue (replicated) when this Atlas declares it. An existing queue of
 *       that name with other arguments (a classic queue an admin made) is used as it is. Whatever the broker itself
 *       drops from it (delivery limit, rejection) goes to {@code <queue>.dead};</li>
 *   <li>{@code <queue>.retry}: tasks waiting for another attempt. Each waits its own delay (per-message
 *       {@code expiration}); when it expires the broker dead-letters it back into {@code <queue>};</li>
 *   <li>{@code <queue>.dead}: tasks that will not be tried again, with {@code x-atlas-reason} saying why.</li>
 * </ul>
 * As a Camel service it closes the connection after the routes stopped (VERSIONS.md: else every stop waits 5 s).
 */
public final class TaskQueues extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(TaskQueues.class);
    static final long CONFIRM_TIMEOUT_MILLIS = 10_000;

    private final CachingConnectionFactory factory;
    private final RabbitTemplate template;
    private final String queue;

    private TaskQueues(CachingConnectionFactory factory, String queue) {
        this.factory = factory;
        this.queue = queue;
        this.template = new RabbitTemplate(factory);
    }

    /** A connection factory for {@code uri} (credentials from its user info); nothing is connected yet. */
    public static TaskQueues create(URI uri, String queue) {
        CachingConnectionFactory factory = new CachingConnectionFactory(uri);
        String path = uri.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            // amqp://host:5672/ means the default virtual host to operators, though the AMQP URI spec reads it as ""
            factory.setVirtualHost("/");
        }
        factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
        factory.setConnectionNameStrategy(f -> "atlas-tasks");
        factory.setChannelCacheSize(16);
        return new TaskQueues(factory, queue);
    }

    public CachingConnectionFactory connectionFactory() {
        return factory;
    }

    public String queue() {
        return queue;
    }

    public String retryQueue() {
        return queue + ".retry";
    }

    public String deadQueue() {
        return queue + ".dead";
    }

    /**
     * Declares the three queues. Called at start; when the broker is down it logs and returns, and the consumer
     * declares nothing (it waits for the queue to appear once the broker is back and an Atlas declared it).
     */
    public void declare() {
        RabbitAdmin admin = new RabbitAdmin(factory);
        admin.setIgnoreDeclarationExceptions(false);
        try {
            admin.declareQueue(QueueBuilder.durable(deadQueue()).build());
            admin.declareQueue(QueueBuilder.durable(retryQueue()).deadLetterExchange("")
                .deadLetterRoutingKey(queue).build());
            Queue main = QueueBuilder.durable(queue).quorum().deadLetterExchange("").deadLetterRoutingKey(deadQueue())
                .build();
            try {
                admin.declareQueue(main);
            } catch (AmqpException e) {
                if (admin.getQueueProperties(queue) == null) {
                    throw e;
                }
                LOG.warn("queue {} exists with other arguments (not a quorum queue?); using it as it is", queue);
            }
            LOG.info("task queues {}, {}, {} declared", queue, retryQueue(), deadQueue());
        } catch (AmqpException e) {
            LOG.warn("cannot declare the task queues now ({}); the consumer retries the connection",
                e.getClass().getSimpleName());
        }
    }

    /** Publishes {@code body} to {@code queue} and waits for the broker's confirm. */
    void publish(String routingKey, byte[] body, MessageProperties properties) {
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        Boolean confirmed = template.invoke(ops -> {
            ops.send("", routingKey, new Message(body, properties));
            return ops.waitForConfirms(CONFIRM_TIMEOUT_MILLIS);
        });
        if (!Boolean.TRUE.equals(confirmed)) {
            throw new AmqpException("the broker did not confirm the message to " + routingKey);
        }
    }

    /** Publishes the reply to {@code replyTo} ({@code queue} or {@code exchange/routingKey}). */
    void reply(String replyTo, String correlationId, int status, byte[] json) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/json");
        properties.setCorrelationId(correlationId);
        properties.setHeader("x-atlas-status", status);
        Address address = new Address(replyTo);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        template.send(address.getExchangeName(), address.getRoutingKey(), new Message(json, properties));
    }

    @Override
    protected void doStart() {
        // the connection opens on first use
    }

    @Override
    protected void doStop() {
        factory.destroy();
    }
}
