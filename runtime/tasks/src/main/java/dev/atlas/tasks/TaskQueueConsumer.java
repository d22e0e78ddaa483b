package dev.atlas.tasks;

import com.rabbitmq.client.Channel;
import dev.atlas.api.Secret;
import dev.atlas.core.cloud.CloudAuthenticator;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.JsonResponses;
import dev.atlas.core.keys.DerivedMac;
import dev.atlas.core.metrics.MicrometerMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.MessageProperties;

/**
 * The processor of the {@code tasks-rabbitmq} route ({@code taskQueueIngress}): one task message from the queue, in
 * manual-acknowledge mode. The message is acknowledged only after what it asked for is settled:
 * <ul>
 *   <li>accepted by the driver (or known already): the reply (the HTTP answer's JSON, {@code x-atlas-status} 201 or
 *       200) goes to {@code reply_to} with the {@code correlation_id} kept, then the ack;</li>
 *   <li>invalid (bad JSON, a bad field, unknown app, too large, refused): published to {@code <queue>.dead} with
 *       {@code x-atlas-reason}, an error reply when {@code reply_to} is set, then the ack;</li>
 *   <li>transient (driver or VCS unreachable): published to {@code <queue>.retry} with {@code x-atlas-attempt} + 1 and
 *       an expiration of 1 s, 2 s, 4 s … capped at {@code tasks.rabbitmq.maxBackoff}, then the ack; after
 *       {@code tasks.rabbitmq.maxAttempts} attempts it is dead-lettered instead;</li>
 *   <li>Atlas stopping, or a publish that the broker did not confirm: nacked with requeue, so this or another
 *       replica takes it again.</li>
 * </ul>
 * A crash between a publish and the ack delivers a message twice; the task id makes the second one a no-op.
 *
 * <p>Publishing to the queue is not trusted by itself: a message must carry the cloud's JWT in its
 * {@code authorization} header ({@code Bearer …}), verified exactly as over HTTP; without one, or with one that does
 * not verify, it is dead-lettered (when {@code tasks.rabbitmq.requireJwt: false}, a message without the header is
 * let through: the broker's permissions are then the trust boundary). A message Atlas itself re-queues for a retry
 * carries a seal instead ({@code x-atlas-seal}, a {@link DerivedMac} of {@code runner.cloudSecret} over the body and
 * the attempt), since the cloud's JWT may have expired by then; a retry message without a valid seal needs the JWT
 * like any other.
 */
public final class TaskQueueConsumer implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(TaskQueueConsumer.class);
    static final String ATTEMPT = "x-atlas-attempt";
    static final String REASON = "x-atlas-reason";
    static final String AUTHORIZATION = "authorization";
    static final String SEAL = "x-atlas-seal";

    private final TaskDispatcher dispatcher;
    private final TaskQueues queues;
    private final int maxAttempts;
    private final Duration maxBackoff;
    private final BooleanSupplier stopping;
    private final MicrometerMetrics metrics;
    private final CloudAuthenticator authenticator;
    private final boolean requireJwt;
    private final DerivedMac retrySeal;

    /**
     * @param requireJwt {@code tasks.rabbitmq.requireJwt}: whether a message without the cloud's JWT is refused
     * @param cloudSecret {@code runner.cloudSecret}: the key of the seal on messages Atlas re-queues
     */
    public TaskQueueConsumer(TaskDispatcher dispatcher, TaskQueues queues, int maxAttempts, Duration maxBackoff,
        BooleanSupplier stopping, MicrometerMetrics metrics, CloudAuthenticator authenticator, boolean requireJwt,
        Secret cloudSecret) {
        this.authenticator = authenticator;
        this.requireJwt = requireJwt;
        this.retrySeal = new DerivedMac(cloudSecret, "atlas/task-retry-message/v1");
        this.dispatcher = dispatcher;
        this.queues = queues;
        this.maxAttempts = maxAttempts;
        this.maxBackoff = maxBackoff;
        this.stopping = stopping;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        Channel channel = exchange.getProperty(SpringRabbitMQConstants.CHANNEL, Channel.class);
        long tag = message.getHeader(SpringRabbitMQConstants.DELIVERY_TAG, 0L, Long.class);
        byte[] body = message.getBody(byte[].class);
        body = body == null ? new byte[0] : body;
        String replyTo = message.getHeader(SpringRabbitMQConstants.REPLY_TO, String.class);
        String correlationId = message.getHeader(SpringRabbitMQConstants.CORRELATION_ID, String.class);
        int attempt = Math.max(1, message.getHeader(ATTEMPT, 1, Integer.class));
        try {
            authenticate(message, body, attempt);
            TaskDispatcher.Outcome outcome = dispatcher.accept(null, body);
            reply(replyTo, correlationId, outcome.httpStatus(), outcome.body());
            channel.basicAck(tag, false);
        } catch (AtlasException e) {
            settleFailure(channel, tag, body, message, replyTo, correlationId, attempt, e);
        } catch (RuntimeException e) {
            String id = UUID.randomUUID().toString();
            LOG.error("task message failed unexpectedly (error id {})", id, e);
            settleFailure(channel, tag, body, message, replyTo, correlationId, attempt,
                new AtlasException(ErrorKind.INTERNAL, "internal error " + id));
        }
    }

    /** The cloud's JWT, or Atlas's own seal on a message it re-queued; else an {@link AtlasException} (401). */
    private void authenticate(Message message, byte[] body, int attempt) {
        if (retrySeal.verifies(message.getHeader(SEAL), body, attemptBytes(attempt))) {
            return;
        }
        String authorization = message.getHeader(AUTHORIZATION, String.class);
        if (authorization == null && !requireJwt) {
            return;
        }
        try {
            authenticator.authenticate(Optional.ofNullable(authorization));
        } catch (AtlasException e) {
            metrics.count("tasks_rejected_total", "reason", "unauthenticated");
            throw new AtlasException(e.kind(), "authorization: " + e.getMessage());
        }
    }

    private static byte[] attemptBytes(int attempt) {
        return Integer.toString(attempt).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private void settleFailure(Channel channel, long tag, byte[] body, Message message, String replyTo,
        String correlationId, int attempt, AtlasException error) throws IOException {
        try {
            if (error.kind() == ErrorKind.SERVICE_UNAVAILABLE) {
                if (stopping.getAsBoolean()) {
                    channel.basicNack(tag, false, true);
                    return;
                }
                if (attempt < maxAttempts) {
                    retry(body, message, attempt, error);
                    channel.basicAck(tag, false);
                    return;
                }
                error = new AtlasException(error.kind(), "gave up after " + attempt + " attempts: "
                    + error.getMessage());
            }
            deadLetter(body, message, attempt, error);
            reply(replyTo, correlationId, error.kind().status(), errorBody(error));
            channel.basicAck(tag, false);
        } catch (AmqpException e) {
            // not passed on safely: the broker keeps the message for another try
            LOG.warn("cannot pass a task message on ({}); returning it to the queue", e.getClass().getSimpleName());
            channel.basicNack(tag, false, true);
        }
    }

    private void retry(byte[] body, Message message, int attempt, AtlasException error) {
        long delay = delayMillis(attempt);
        MessageProperties properties = carried(message);
        properties.setHeader(ATTEMPT, attempt + 1);
        properties.setHeader(REASON, error.getMessage());
        properties.setHeader(SEAL, retrySeal.mac(body, attemptBytes(attempt + 1)));
        properties.setExpiration(Long.toString(delay));
        queues.publish(queues.retryQueue(), body, properties);
        metrics.count("tasks_retried_total", "driver", dispatcher.driverId());
        LOG.info("task message retried in {} ms (attempt {} of {}): {}", delay, attempt + 1, maxAttempts,
            error.getMessage());
    }

    private void deadLetter(byte[] body, Message message, int attempt, AtlasException error) {
        MessageProperties properties = carried(message);
        properties.setHeader(ATTEMPT, attempt);
        properties.setHeader(REASON, error.getMessage());
        properties.setHeader("x-atlas-error", error.kind().code());
        queues.publish(queues.deadQueue(), body, properties);
        metrics.count("tasks_dead_lettered_total", "reason", error.kind().code());
        LOG.info("task message dead-lettered: {}", error.getMessage());
    }

    /** 1 s, 2 s, 4 s … capped at {@code maxBackoff}. */
    long delayMillis(int attempt) {
        long delay = 1000L << Math.min(20, attempt - 1);
        return Math.min(delay, maxBackoff.toMillis());
    }

    private static MessageProperties carried(Message message) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(message.getHeader(SpringRabbitMQConstants.CONTENT_TYPE, "application/json",
            String.class));
        properties.setCorrelationId(message.getHeader(SpringRabbitMQConstants.CORRELATION_ID, String.class));
        properties.setReplyTo(message.getHeader(SpringRabbitMQConstants.REPLY_TO, String.class));
        properties.setMessageId(message.getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class));
        return properties;
    }

    private void reply(String replyTo, String correlationId, int status, Map<String, Object> body) {
        if (replyTo == null || replyTo.isBlank()) {
            return;
        }
        try {
            queues.reply(replyTo, correlationId, status, JsonResponses.toBytes(body));
        } catch (AmqpException e) {
            // the cloud learns the outcome from its retry (answered from the task record) or the job's result
            LOG.warn("cannot publish the reply to {}: {}", replyTo, e.getClass().getSimpleName());
        }
    }

    private static Map<String, Object> errorBody(AtlasException error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.kind().code());
        body.put("message", error.getMessage());
        body.putAll(error.fields());
        return body;
    }
}
