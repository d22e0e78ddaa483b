package dev.atlas.core.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.atlas.api.Secret;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private final List<Long> retrySeconds = new ArrayList<>();
    private final Connection connection;
    private final Channel publisher;
    private final Channel consumer;
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
        Connection connection) throws IOException {
        this.queue = queue;
        this.seal = seal;
        this.maxAge = maxAge;
        this.connection = connection;
        this.publisher = connection.createChannel();
        this.consumer = connection.createChannel();
        publisher.confirmSelect();
        publisher.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
        publisher.queueDeclare(queue + ".dead", true, false, false, Map.of("x-queue-type", "quorum"));
        for (long s = 1; ; s *= 2) {
            long step = Math.min(s, Math.max(1, maxBackoff.toSeconds()));
            retrySeconds.add(step);
            publisher.queueDeclare(retryQueue(step), true, false, false, Map.of("x-message-ttl", step * 1000,
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", queue));
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
        ConnectionFactory factory = new ConnectionFactory();
        try {
            // "amqp://host:5672/" (as SPEC §3 writes it) means the default vhost "/", not an empty vhost name
            String text = uri.toString();
            factory.setUri(uri.getRawPath() != null && uri.getRawPath().equals("/")
                ? text.substring(0, text.length() - 1) : text);
        } catch (Exception e) {
            throw new IOException("rabbitmq.uri is not usable", e);
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(1000);
        factory.setConnectionTimeout(5000);
        try {
            return new RabbitWebhookSpool(queue, maxAge, maxBackoff, new RecordSeal(cloudSecret),
                factory.newConnection("atlas-webhook-spool"));
        } catch (TimeoutException e) {
            throw new IOException("the broker did not answer in time", e);
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
        Map<String, Object> headers = new HashMap<>();
        if (sealed) {
            headers.put(SEAL, seal.seal(webhook));
        }
        headers.put("x-atlas-id", webhook.id());
        headers.put("x-atlas-vcs", webhook.vcs());
        headers.put("x-atlas-app", webhook.appId());
        headers.put("x-atlas-received-at", webhook.receivedAt().toString());
        headers.put("x-atlas-attempts", webhook.attempts());
        headers.put("x-atlas-headers", JSON.writeValueAsString(webhook.headers()));
        webhook.lastError().ifPresent(e -> headers.put("x-atlas-last-error", e));
        if (deadReason != null) {
            headers.put("x-atlas-dead-reason", deadReason);
        }
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
            .messageId(webhook.key())
            .contentType(webhook.contentType().orElse(null))
            .deliveryMode(2)
            .headers(headers)
            .build();
        synchronized (publisher) {
            publisher.basicPublish("", target, true, properties, webhook.body());
            try {
                publisher.waitForConfirmsOrDie(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the broker's confirm", e);
            } catch (TimeoutException e) {
                throw new IOException("the broker did not confirm in time", e);
            }
        }
    }

    private static SpooledWebhook read(GetResponse response) throws IOException {
        AMQP.BasicProperties p = response.getProps();
        Map<String, Object> h = p.getHeaders() == null ? Map.of() : p.getHeaders();
        Map<String, String> relayed = JSON.readValue(String.valueOf(h.get("x-atlas-headers")),
            new TypeReference<LinkedHashMap<String, String>>() { });
        Object attempts = h.get("x-atlas-attempts");
        return new SpooledWebhook(p.getMessageId(), String.valueOf(h.get("x-atlas-id")),
            String.valueOf(h.get("x-atlas-vcs")), String.valueOf(h.get("x-atlas-app")),
            Instant.parse(String.valueOf(h.get("x-atlas-received-at"))), Optional.ofNullable(p.getContentType()),
            relayed, response.getBody(), attempts instanceof Number n ? n.intValue() : 0, Instant.now(),
            Optional.ofNullable(h.get("x-atlas-last-error")).map(String::valueOf));
    }

    @Override
    public List<SpooledWebhook> due(Instant now, int limit) {
        List<SpooledWebhook> out = new ArrayList<>();
        try {
            synchronized (consumer) {
                for (int i = 0; i < limit; i++) {
                    GetResponse response = consumer.basicGet(queue, false);
                    if (response == null) {
                        break;
                    }
                    SpooledWebhook webhook;
                    try {
                        webhook = read(response);
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("unreadable message on {} moved to the dead letters: {}", queue, e.toString());
                        consumer.basicReject(response.getEnvelope().getDeliveryTag(), false);
                        continue;
                    }
                    if (!seal.verifies(webhook, response.getProps().getHeaders().get(SEAL))) {
                        LOG.warn("record {} on {} is not sealed by this Atlas: dead-lettered, never delivered",
                            webhook.id(), queue);
                        publishConfirmed(queue + ".dead", webhook, FORGED, false);
                        consumer.basicAck(response.getEnvelope().getDeliveryTag(), false);
                        continue;
                    }
                    inFlight.put(webhook.key(), response.getEnvelope().getDeliveryTag());
                    out.add(webhook);
                }
                depth = Math.max(0, depth - out.size());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot take webhooks from {}: {}", queue, e.toString());
        }
        return out;
    }

    private void ack(SpooledWebhook webhook) throws IOException {
        Long tag = inFlight.remove(webhook.key());
        if (tag != null) {
            synchronized (consumer) {
                consumer.basicAck(tag, false);
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
        try (Channel browse = connection.createChannel()) {
            GetResponse response;
            while ((response = browse.basicGet(queue + ".dead", false)) != null) {
                SpooledWebhook w = read(response);
                Object reason = response.getProps().getHeaders().get("x-atlas-dead-reason");
                out.add(new DeadLetter(w.id(), w.vcs(), w.appId(), w.receivedAt(), w.attempts(), String.valueOf(reason)));
            }
            // closing the channel without acks puts every browsed message back
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
        out.sort(Comparator.comparing(DeadLetter::receivedAt));
        return out;
    }

    @Override
    public boolean replay(String id, Instant now) throws IOException {
        try (Channel browse = connection.createChannel()) {
            GetResponse response;
            while ((response = browse.basicGet(queue + ".dead", false)) != null) {
                SpooledWebhook w = read(response);
                if (w.id().equals(id)) {
                    if (!seal.verifies(w, response.getProps().getHeaders().get(SEAL))) {
                        LOG.warn("dead letter {} is not sealed by this Atlas: not replayed", id);
                        return false;
                    }
                    publishConfirmed(queue, w.replayed(now), null, true);
                    browse.basicAck(response.getEnvelope().getDeliveryTag(), false);
                    return true;
                }
            }
            return false;
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
    }

    @Override
    public int depth() {
        return depth;
    }

    /** Reads the queue's message count from the broker (called by the delivery loop's housekeeping). */
    public void refreshDepth() {
        try {
            synchronized (publisher) {
                depth = publisher.queueDeclarePassive(queue).getMessageCount() + inFlight.size();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the depth of {}: {}", queue, e.toString());
        }
    }

    @Override
    public boolean writable() {
        return connection.isOpen() && publisher.isOpen();
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
        try {
            connection.close(5000);
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing the spool's broker connection: {}", e.toString());
        }
    }
}
