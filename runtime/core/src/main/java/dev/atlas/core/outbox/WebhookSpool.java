package dev.atlas.core.outbox;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where accepted webhooks wait for delivery. {@link #accept} returns only once the webhook is durable (on disk and
 * synced, or confirmed by the broker): Atlas answers 202 after it and never before.
 */
public interface WebhookSpool extends AutoCloseable {

    /** What {@link #accept} did. */
    enum Acceptance {
        /** Newly spooled. */
        SPOOLED,
        /** The same delivery was already spooled, delivered or dead-lettered within {@code maxAge}: not spooled again. */
        DUPLICATE
    }

    /** Stores {@code webhook} durably unless it is a duplicate; throws when it could not be stored. */
    Acceptance accept(SpooledWebhook webhook) throws IOException;

    /**
     * Like {@link #accept}, without holding the calling thread while the webhook is made durable: the stage completes
     * once it is (still the condition for a 202), or fails when it could not be stored. The webhook may be written
     * on the calling thread before this returns (blocking file I/O: call it from a worker, not an event loop), and
     * the stage may complete on the spool's own thread: continue on the caller's context, not on that thread.
     * This default runs {@link #accept} on the calling thread.
     */
    default java.util.concurrent.CompletionStage<Acceptance> acceptAsync(SpooledWebhook webhook) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(accept(webhook));
        } catch (IOException | RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Whether {@link #acceptAsync} returns without waiting on a disk or a broker (it may complete later, from its own
     * thread), so that the webhook route may run on the HTTP event loop.
     */
    default boolean acceptsWithoutBlocking() {
        return false;
    }

    /**
     * Whether {@link #delivered} returns without waiting on a disk or a broker, so that the delivery loop may record a
     * delivery on the HTTP client's event loop instead of handing it to a worker thread first.
     */
    default boolean recordsDeliveriesWithoutBlocking() {
        return false;
    }

    /**
     * Records how long each of the spool's durable writes takes, tagged {@code spool=<name>}: the file spool's group
     * commits (write and sync, which every acceptance in one waits for) as {@code spool_journal_sync}, the RabbitMQ
     * spool's publishes until the broker confirmed them as {@code spool_broker_confirm}. Others record nothing.
     */
    default void measureSyncs(dev.atlas.api.Metrics metrics, String name) {
    }

    /** Webhooks due for an attempt at {@code now}, oldest first, at most {@code limit}, not handed out twice at once. */
    List<SpooledWebhook> due(Instant now, int limit);

    /** The cloud has it: forget the body, keep the delivery id for de-duplication until {@code maxAge}. */
    void delivered(SpooledWebhook webhook) throws IOException;

    /** An attempt failed: keep it, due again at {@code webhook.nextAttemptAt()}. */
    void retryLater(SpooledWebhook webhook) throws IOException;

    /** No more attempts: move to the dead letters with {@code reason}. */
    void deadLetter(SpooledWebhook webhook, String reason) throws IOException;

    /** Dead-lettered webhooks, oldest first. */
    List<DeadLetter> deadLetters() throws IOException;

    /** Moves a dead letter back to delivery, due now; false when there is no such dead letter. */
    boolean replay(String id, Instant now) throws IOException;

    /** How many webhooks wait for delivery. */
    int depth();

    /** Whether a webhook can be stored now (readiness). */
    boolean writable();

    /** Drops de-duplication records older than {@code cutoff}. */
    void prune(Instant cutoff) throws IOException;

    @Override
    void close();

    /** A dead-lettered webhook as listed by {@code atlas webhooks list --dead}. */
    record DeadLetter(String id, String vcs, String appId, Instant receivedAt, int attempts, String reason) {
    }

    /** Finds the spooled webhook with delivery id {@code id} among dead letters (for replay by id). */
    default Optional<DeadLetter> deadLetter(String id) throws IOException {
        return deadLetters().stream().filter(d -> d.id().equals(id)).findFirst();
    }
}
