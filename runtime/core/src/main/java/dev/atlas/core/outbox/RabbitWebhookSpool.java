package dev.atlas.core.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.atlas.api.Secret;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;
import org.springframework.amqp.rabbit.support.MessagePropertiesConverter;

/**
 * The RabbitMQ spool ({@code webhooks.spool: rabbitmq}): the scale-out path, where every replica consumes one shared
 * queue and no replica's disk holds webhooks hostage. Queues (all durable, declared at start):
 * <ul>
 *   <li>{@code <queue>} (quorum): webhooks waiting for delivery; {@link #accept} returns once the broker confirmed
 *   the publish, so the 202 is never given for something the broker does not hold;</li>
 *   <li>{@code <queue>.retry.<n>s}: one per backoff step (1 s, 2 s, 4 s … up to {@code maxBackoff}); each has a fixed
 *   message TTL and dead-letters expired messages back to {@code <queue>}, so a failed webhook waits there for its
 *   next attempt without blocking others;</li>
 *   <li>{@code <queue>.dead}: dead letters, with the reason in the {@code x-atlas-dead-reason} header.</li>
 * </ul>
 * A webhook is taken with a manual-ack get and acknowledged only after its outcome (delivered, moved to a retry
 * queue, or dead-lettered) is confirmed; a replica that dies mid-attempt leaves it to the broker to hand to another.
 * De-duplication of repeated delivery ids is per replica (a bounded memory of keys seen within {@code maxAge}); the
 * cloud should still de-duplicate by {@code webhook-id}, as Standard Webhooks asks of every consumer.
 * <p>The broker is reached through Spring AMQP, like the task queue: a {@link CachingConnectionFactory} with publisher
 * confirms, {@link RabbitAdmin} for the declarations and {@link RabbitTemplate} for confirmed publishes. Takes use one
 * channel of their own, kept open (a delivery tag is only valid on the channel that received it); when the broker
 * closed it, the un-acknowledged webhooks are the broker's again and a new channel is opened on the next take.
 */
public final class RabbitWebhookSpool implements WebhookSpool {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitWebhookSpool.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SEEN_LIMIT = 100_000;

    /** The header holding a record's {@link RecordSeal}. */
    static final String SEAL = "x-atlas-seal";
    /** Why a record whose seal does not verify is dead-lettered. */
    static final String FORGED = "the record's seal does not verify (not written by this Atlas): never delivered";

    private final String queue;
    private final Duration maxAge;
    private final RecordSeal seal;
    private static final long CONFIRM_TIMEOUT_MILLIS = 10_000;
    private static final MessagePropertiesConverter PROPERTIES = new DefaultMessagePropertiesConverter(1 << 20);

    private final List<Long> retrySeconds = new ArrayList<>();
    private final CachingConnectionFactory factory;
    private final RabbitTemplate template;
    private final RabbitAdmin admin;
    private final Object takeLock = new Object();
    private Channel consumer;
    private volatile boolean connected = true;
    /** Told how long each publish took until the broker confirmed it; nothing until {@link #measureSyncs}. */
    private volatile java.util.function.Consumer<Duration> confirms = took -> { };
    private final Map<String, Long> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Instant> seen = java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f,
        false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > SEEN_LIMIT;
        }
    });
    private volatile int depth;

    private RabbitWebhookSpool(String queue, Duration maxAge, Duration maxBackoff, RecordSeal seal,
        CachingConnectionFactory factory) {
        this.queue = queue;
        this.seal = seal;
        this.maxAge = maxAge;
        this.factory = factory;
        this.template = new RabbitTemplate(factory);
        this.admin = new RabbitAdmin(factory);
        admin.setIgnoreDeclarationExceptions(false);
        factory.addConnectionListener(new ConnectionListener() {
            @Override
            public void onCreate(Connection connection) {
                connected = true;
            }

            @Override
            public void onClose(Connection connection) {
                connected = false;
            }

            @Override
            public void onShutDown(ShutdownSignalException signal) {
                connected = false;
            }
        });
        admin.declareQueue(QueueBuilder.durable(queue).quorum().build());
        admin.declareQueue(QueueBuilder.durable(queue + ".dead").quorum().build());
        for (long s = 1; ; s *= 2) {
            long step = Math.min(s, Math.max(1, maxBackoff.toSeconds()));
            retrySeconds.add(step);
            admin.declareQueue(QueueBuilder.durable(retryQueue(step)).ttl((int) (step * 1000))
                .deadLetterExchange("").deadLetterRoutingKey(queue).build());
            if (step >= maxBackoff.toSeconds()) {
                break;
            }
        }
        refreshDepth();
    }

    /**
     * Connects to {@code uri} and declares the queues.
     *
     * @param cloudSecret {@code runner.cloudSecret}, from which the records' sealing key is derived
     */
    public static RabbitWebhookSpool open(URI uri, String queue, Duration maxAge, Duration maxBackoff,
        Secret cloudSecret) throws IOException {
        CachingConnectionFactory factory;
        try {
            factory = new CachingConnectionFactory(uri);
        } catch (RuntimeException e) {
            throw new IOException("rabbitmq.uri is not usable", e);
        }
        String path = uri.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            // "amqp://host:5672/" (as SPEC §3 writes it) means the default vhost "/", not an empty vhost name
            factory.setVirtualHost("/");
        }
        factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
        factory.setConnectionNameStrategy(f -> "atlas-webhook-spool");
        factory.setConnectionTimeout(5000);
        factory.setChannelCacheSize(16);
        try {
            return new RabbitWebhookSpool(queue, maxAge, maxBackoff, new RecordSeal(cloudSecret), factory);
        } catch (AmqpException e) {
            factory.destroy();
            throw new IOException("cannot reach the broker or declare the spool's queues", e);
        }
    }

    private String retryQueue(long seconds) {
        return queue + ".retry." + seconds + "s";
    }

    @Override
    public Acceptance accept(SpooledWebhook webhook) throws IOException {
        Instant cutoff = Instant.now().minus(maxAge);
        Instant previous = seen.get(webhook.key());
        if (previous != null && previous.isAfter(cutoff)) {
            return Acceptance.DUPLICATE;
        }
        publishConfirmed(queue, webhook, null, true);
        seen.put(webhook.key(), webhook.receivedAt());
        return Acceptance.SPOOLED;
    }

    /** Publishes a record and waits for the broker's confirm; {@code sealed} false only for a forged record. */
    private void publishConfirmed(String target, SpooledWebhook webhook, String deadReason, boolean sealed)
        throws IOException {
        MessageProperties properties = new MessageProperties();
        if (sealed) {
            properties.setHeader(SEAL, seal.seal(webhook));
        }
        properties.setHeader("x-atlas-id", webhook.id());
        properties.setHeader("x-atlas-vcs", webhook.vcs());
        properties.setHeader("x-atlas-app", webhook.appId());
        properties.setHeader("x-atlas-received-at", webhook.receivedAt().toString());
        properties.setHeader("x-atlas-attempts", webhook.attempts());
        properties.setHeader("x-atlas-headers", JSON.writeValueAsString(webhook.headers()));
        webhook.lastError().ifPresent(e -> properties.setHeader("x-atlas-last-error", e));
        if (deadReason != null) {
            properties.setHeader("x-atlas-dead-reason", deadReason);
        }
        properties.setMessageId(webhook.key());
        properties.setContentType(webhook.contentType().orElse(null));
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        Message message = new Message(webhook.body(), properties);
        Boolean confirmed;
        long began = System.nanoTime();
        try {
            confirmed = template.invoke(ops -> {
                ops.send("", target, message);
                return ops.waitForConfirms(CONFIRM_TIMEOUT_MILLIS);
            });
        } catch (AmqpException e) {
            throw new IOException("the broker did not take the record for " + target, e);
        }
        if (!Boolean.TRUE.equals(confirmed)) {
            throw new IOException("the broker did not confirm the record for " + target + " in time");
        }
        confirms.accept(Duration.ofNanos(System.nanoTime() - began));
    }

    /** The RabbitMQ spool's durable write is a publish the broker confirms: timed as {@code spool_broker_confirm}. */
    @Override
    public void measureSyncs(dev.atlas.api.Metrics metrics, String name) {
        confirms = took -> metrics.time("spool_broker_confirm", took, "spool", name);
    }

    private static MessageProperties properties(GetResponse response) {
        return PROPERTIES.toMessageProperties(response.getProps(), response.getEnvelope(), "UTF-8");
    }

    private static SpooledWebhook read(GetResponse response) throws IOException {
        MessageProperties p = properties(response);
        Map<String, Object> h = p.getHeaders() == null ? Map.of() : p.getHeaders();
        Map<String, String> relayed = JSON.readValue(String.valueOf(h.get("x-atlas-headers")),
            new TypeReference<LinkedHashMap<String, String>>() { });
        Object attempts = h.get("x-atlas-attempts");
        return new SpooledWebhook(p.getMessageId(), String.valueOf(h.get("x-atlas-id")),
            String.valueOf(h.get("x-atlas-vcs")), String.valueOf(h.get("x-atlas-app")),
            Instant.parse(String.valueOf(h.get("x-atlas-received-at"))),
            Optional.ofNullable(response.getProps().getContentType()),
            relayed, response.getBody(), attempts instanceof Number n ? n.intValue() : 0, Instant.now(),
            Optional.ofNullable(h.get("x-atlas-last-error")).map(String::valueOf));
    }

    @Override
    public List<SpooledWebhook> due(Instant now, int limit) {
        List<SpooledWebhook> out = new ArrayList<>();
        try {
            synchronized (takeLock) {
                Channel channel = takeChannel();
                for (int i = 0; i < limit; i++) {
                    GetResponse response = channel.basicGet(queue, false);
                    if (response == null) {
                        break;
                    }
                    long tag = response.getEnvelope().getDeliveryTag();
                    SpooledWebhook webhook;
                    try {
                        webhook = read(response);
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("unreadable message on {} moved to the dead letters: {}", queue, e.toString());
                        channel.basicReject(tag, false);
                        continue;
                    }
                    if (!seal.verifies(webhook, response.getProps().getHeaders().get(SEAL))) {
                        LOG.warn("record {} on {} is not sealed by this Atlas: dead-lettered, never delivered",
                            webhook.id(), queue);
                        publishConfirmed(queue + ".dead", webhook, FORGED, false);
                        channel.basicAck(tag, false);
                        continue;
                    }
                    inFlight.put(webhook.key(), tag);
                    out.add(webhook);
                }
                depth = Math.max(0, depth - out.size());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot take webhooks from {}: {}", queue, e.toString());
        }
        return out;
    }

    /**
     * The channel takes and acknowledgements use (held under {@link #takeLock}). A new one replaces a channel the
     * broker closed; the delivery tags of the old one mean nothing any more (the broker re-queued those webhooks).
     */
    private Channel takeChannel() {
        if (consumer == null || !consumer.isOpen()) {
            if (consumer != null) {
                LOG.warn("the spool's channel to the broker closed; {} webhooks in flight go back to {}",
                    inFlight.size(), queue);
                inFlight.clear();
            }
            consumer = factory.createConnection().createChannel(false);
        }
        return consumer;
    }

    private void ack(SpooledWebhook webhook) throws IOException {
        Long tag = inFlight.remove(webhook.key());
        if (tag != null) {
            synchronized (takeLock) {
                if (consumer != null && consumer.isOpen()) {
                    consumer.basicAck(tag, false);
                }
            }
        }
    }

    @Override
    public void delivered(SpooledWebhook webhook) throws IOException {
        ack(webhook);
    }

    @Override
    public void retryLater(SpooledWebhook webhook) throws IOException {
        long wait = Math.max(1, Duration.between(Instant.now(), webhook.nextAttemptAt()).toSeconds());
        long step = retrySeconds.stream().filter(s -> s >= wait).findFirst().orElse(retrySeconds.get(retrySeconds.size()
            - 1));
        publishConfirmed(retryQueue(step), webhook, null, true);
        ack(webhook);
    }

    @Override
    public void deadLetter(SpooledWebhook webhook, String reason) throws IOException {
        publishConfirmed(queue + ".dead", webhook, reason, true);
        ack(webhook);
    }

    @Override
    public List<DeadLetter> deadLetters() throws IOException {
        List<DeadLetter> out = new ArrayList<>();
        browseDeadLetters(response -> {
            SpooledWebhook w = read(response);
            Object reason = properties(response).getHeaders().get("x-atlas-dead-reason");
            out.add(new DeadLetter(w.id(), w.vcs(), w.appId(), w.receivedAt(), w.attempts(), String.valueOf(reason)));
            return false;
        });
        out.sort(Comparator.comparing(DeadLetter::receivedAt));
        return out;
    }

    @Override
    public boolean replay(String id, Instant now) throws IOException {
        boolean[] replayed = {false};
        browseDeadLetters(response -> {
            SpooledWebhook w = read(response);
            if (!w.id().equals(id)) {
                return false;
            }
            if (!seal.verifies(w, response.getProps().getHeaders().get(SEAL))) {
                LOG.warn("dead letter {} is not sealed by this Atlas: not replayed", id);
                return false;
            }
            publishConfirmed(queue, w.replayed(now), null, true);
            replayed[0] = true;
            return true;
        });
        return replayed[0];
    }

    /** What to do with one browsed dead letter: true takes it off the dead-letter queue, false leaves it there. */
    private interface DeadLetterVisit {
        boolean take(GetResponse response) throws IOException;
    }

    /**
     * Visits the dead letters on a channel of its own: each is taken un-acknowledged, and every one {@code visit} did
     * not take is handed back to the queue (requeued) before the channel goes back to the cache.
     */
    private void browseDeadLetters(DeadLetterVisit visit) throws IOException {
        Channel browse = factory.createConnection().createChannel(false);
        try {
            GetResponse response;
            long last = -1;
            while ((response = browse.basicGet(queue + ".dead", false)) != null) {
                long tag = response.getEnvelope().getDeliveryTag();
                if (visit.take(response)) {
                    browse.basicAck(tag, false);
                    break;
                }
                last = tag;
            }
            if (last >= 0) {
                browse.basicNack(last, true, true);
            }
        } catch (AmqpException e) {
            throw new IOException("cannot read the dead letters of " + queue, e);
        } finally {
            try {
                browse.close();
            } catch (java.util.concurrent.TimeoutException | IOException | RuntimeException e) {
                LOG.debug("closing a browsing channel: {}", e.toString());
            }
        }
    }

    @Override
    public int depth() {
        return depth;
    }

    /** Reads the queue's message count from the broker (called by the delivery loop's housekeeping). */
    public void refreshDepth() {
        try {
            Properties info = admin.getQueueProperties(queue);
            if (info != null && info.get(RabbitAdmin.QUEUE_MESSAGE_COUNT) instanceof Number count) {
                depth = count.intValue() + inFlight.size();
            }
        } catch (AmqpException e) {
            LOG.debug("cannot read the depth of {}: {}", queue, e.toString());
        }
    }

    @Override
    public boolean writable() {
        return connected;
    }

    @Override
    public void prune(Instant cutoff) {
        synchronized (seen) {
            seen.values().removeIf(at -> at.isBefore(cutoff));
        }
        refreshDepth();
    }

    @Override
    public void close() {
        synchronized (takeLock) {
            if (consumer != null) {
                try {
                    consumer.close();
                } catch (java.util.concurrent.TimeoutException | IOException | RuntimeException e) {
                    LOG.debug("closing the spool's channel: {}", e.toString());
                }
            }
        }
        factory.destroy();
    }
}
