package dev.atlas.core.outbox;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's delivery loop: decides when each spooled webhook is due (every 250 ms, and at once when a webhook is
 * spooled or an attempt ends) and hands each due attempt to its delivery route ({@link DeliveryRoute}: one exchange
 * per attempt through {@code webhookSign} and {@code webhookSend}). The route's outcome is recorded here: completed
 * means delivered; a {@link DeliveryFailed} that is retryable schedules the next attempt by the {@link RetryPolicy}
 * (retries stay durable in the spool, never in Camel's memory); anything else, or running out of attempts or age,
 * moves it to the dead letters. Nothing is removed from the spool before the route completed.
 */
public final class WebhookDelivery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
    private static final Duration RESCAN = Duration.ofSeconds(5);
    private static final Duration PRUNE = Duration.ofMinutes(1);
    private static final long TICK_MILLIS = 250;

    private final WebhookSpool spool;
    private final DeliveryRoute route;
    private final RetryPolicy policy;
    private final Duration timeout;
    private final Clock clock;
    private final DeliveryOutcomes outcomes;
    private final int concurrency;
    private final Semaphore slots;
    private final ExecutorService workers;
    private final ScheduledExecutorService ticker;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean tickPending = new AtomicBoolean();
    /** The delivery route is stopped ({@link #routeConsuming}); only the periodic tick looks again. */
    private volatile boolean held;
    private volatile Instant lastRescan = Instant.EPOCH;
    private volatile ReplayWindow replays;
    private volatile Instant lastPrune = Instant.EPOCH;

    /**
     * A delivery whose attempts go through {@code route} and whose outcomes go to {@code outcomes}.
     *
     * @param timeout how long an attempt may take (a stop waits that long for attempts under way)
     */
    public WebhookDelivery(WebhookSpool spool, DeliveryRoute route, RetryPolicy policy, Duration timeout, Clock clock,
        DeliveryOutcomes outcomes, int concurrency) {
        this.spool = spool;
        this.route = route;
        this.policy = policy;
        this.timeout = timeout;
        this.clock = clock;
        this.outcomes = outcomes;
        this.concurrency = concurrency;
        this.slots = new Semaphore(concurrency);
        this.workers = Executors.newFixedThreadPool(concurrency + 1, r -> {
            Thread t = new Thread(r, "atlas-webhook-delivery");
            t.setDaemon(true);
            return t;
        });
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "atlas-webhook-delivery-tick");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the periodic tick (once the routes run). */
    public void start() {
        ticker.scheduleWithFixedDelay(this::safeTick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("delivery tick failed: {}", e.toString());
        }
    }

    /**
     * Starts attempts now for what is due (called when a webhook was just spooled, and when an attempt ends so that a
     * backlog drains at full speed). Wakes coalesce: at most one extra tick waits at a time, and none while every
     * delivery slot is taken (an attempt that ends frees its slot before it wakes the delivery again), so that a
     * burst of acceptances behind a busy delivery does not hand a useless tick to a worker per webhook.
     */
    public void wake() {
        if (!stopping.get() && !held && slots.availablePermits() > 0 && tickPending.compareAndSet(false, true)) {
            try {
                workers.execute(() -> {
                    tickPending.set(false);
                    tick();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                tickPending.set(false);
            }
        }
    }

    /** Hands every due webhook (up to the free delivery slots) to a worker. */
    public void tick() {
        if (stopping.get()) {
            return;
        }
        Instant now = clock.instant();
        housekeeping(now);
        if (!routeConsuming()) {
            return;
        }
        int free = slots.availablePermits();
        if (free == 0) {
            return;
        }
        List<SpooledWebhook> due = spool.due(now, free);
        for (SpooledWebhook webhook : due) {
            slots.acquireUninterruptibly();
            if (spool.recordsDeliveriesWithoutBlocking()) {
                // the shipped steps return at once (webhookSend is asynchronous): no hand-off per attempt
                start(webhook);
                continue;
            }
            try {
                workers.execute(() -> start(webhook));
            } catch (RuntimeException e) {
                slots.release();
                throw e;
            }
        }
    }

    /**
     * Starts one attempt; its outcome is recorded where the route ended when that was this thread, else handed back
     * to a worker (an asynchronous {@code webhookSend} ends on an HTTP event loop, which must not wait on the disk).
     * The slot is held until the outcome is recorded.
     */
    private void start(SpooledWebhook webhook) {
        java.util.concurrent.CompletableFuture<Exchange> attempt;
        try {
            attempt = route.attemptAsync(webhook);
        } catch (RuntimeException e) {
            finish(webhook, null, e);
            return;
        }
        if (attempt.isDone()) {
            finish(webhook, attempt.getNow(null), null);
        } else if (spool.recordsDeliveriesWithoutBlocking()) {
            // a delivery is recorded where the answer arrived; anything else may write files: on a worker
            attempt.whenComplete((exchange, failure) -> {
                if (failure == null && exchange != null && succeeded(exchange)) {
                    finish(webhook, exchange, null);
                } else {
                    onWorker(() -> finish(webhook, exchange, failure));
                }
            });
        } else {
            attempt.whenCompleteAsync((exchange, failure) -> finish(webhook, exchange, failure), this::onWorker);
        }
    }

    private void onWorker(Runnable task) {
        try {
            workers.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            task.run(); // stopping: record the outcome here rather than lose it
        }
    }

    private void finish(SpooledWebhook webhook, Exchange exchange, Throwable failure) {
        try {
            if (exchange == null) {
                release(webhook, "the delivery route is not available ("
                    + (failure == null ? "no exchange" : failure.getClass().getSimpleName()) + ")");
            } else {
                outcome(webhook, exchange);
            }
        } finally {
            slots.release();
            wake();
        }
    }

    /**
     * False while the delivery route is stopped (an admin holding deliveries, {@link DeliveryRoute#consuming}): the
     * webhooks stay in the spool untried, acceptances do not wake the delivery, and the periodic tick looks again.
     * Says so once in the log when it stops and once when it starts again.
     */
    private boolean routeConsuming() {
        boolean consuming = route.consuming();
        if (consuming == held) {
            held = !consuming;
            if (held) {
                LOG.info("route {} is not started: its spool keeps what is pending ({}) until it starts",
                    route.routeId(), spool.depth());
            } else {
                LOG.info("route {} started: delivering what its spool kept ({} pending)", route.routeId(),
                    spool.depth());
            }
        }
        return consuming;
    }

    private void housekeeping(Instant now) {
        try {
            if (spool instanceof FileWebhookSpool file && now.isAfter(lastRescan.plus(RESCAN))) {
                lastRescan = now;
                file.rescan();
            }
            if (now.isAfter(lastPrune.plus(PRUNE))) {
                lastPrune = now;
                spool.prune(now.minus(policy.maxAge()));
                if (replays != null) {
                    replays.prune(now);
                }
            }
        } catch (IOException e) {
            LOG.warn("spool housekeeping failed: {}", e.toString());
        }
    }

    /** Prunes {@code window} with the spool's de-duplication records. */
    public void alsoPrune(ReplayWindow window) {
        this.replays = window;
    }

    private static boolean succeeded(Exchange exchange) {
        return failureOf(exchange) == null;
    }

    /** What failed the attempt: the exchange's exception, or one an error handler caught; null for a delivery. */
    private static Throwable failureOf(Exchange exchange) {
        return exchange.getException() != null ? exchange.getException()
            : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    /** Records in the spool what the route's exchange says of the attempt. */
    private void outcome(SpooledWebhook webhook, Exchange exchange) {
        Throwable failure = failureOf(exchange);
        if (failure == null) {
            try {
                spool.delivered(webhook);
            } catch (IOException e) {
                // the cloud has it; the spool could not note it: it may be sent again, which the cloud de-duplicates
                LOG.error("cannot record webhook {} as delivered: {}", webhook.id(), e.toString());
                release(webhook, "delivered but not recorded");
                return;
            }
            if (exchange.getProperty(WebhookSend.DELIVERED_STATUS) == null) {
                LOG.info("webhook {} of app {} was ended by its delivery route before webhookSend: not delivered, "
                    + "removed from the spool", webhook.id(), webhook.appId());
                return;
            }
            outcomes.delivered(webhook, webhook.attempts() + 1,
                Duration.between(webhook.receivedAt(), clock.instant()));
            return;
        }
        DeliveryFailed failed = cause(failure, DeliveryFailed.class);
        if (failed != null) {
            record(webhook, failed.getMessage(), failed.retryable());
        } else if (cause(failure, InterruptedException.class) != null || unavailable(failure)) {
            release(webhook, failure.getClass().getSimpleName());
        } else {
            record(webhook, "the delivery route failed (" + failure.getClass().getSimpleName() + ")", true);
        }
    }

    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The route is not there (yet, or any more): the attempt does not count. */
    private static boolean unavailable(Throwable failure) {
        return cause(failure, org.apache.camel.component.direct.DirectConsumerNotAvailableException.class) != null
            || cause(failure, java.util.concurrent.RejectedExecutionException.class) != null;
    }

    private void record(SpooledWebhook webhook, String failure, boolean retryable) {
        Instant now = clock.instant();
        int made = webhook.attempts() + 1;
        Instant next = now.plus(policy.backoff(made));
        try {
            if (retryable && policy.anotherAttempt(made, webhook.receivedAt(), next)) {
                spool.retryLater(webhook.failed(next, failure));
                outcomes.retried(webhook, made, failure, next);
            } else {
                String reason = retryable ? failure + "; gave up after " + made + " attempt(s)" : failure;
                spool.deadLetter(webhook.failed(now, failure), reason);
                outcomes.deadLettered(webhook, reason);
            }
        } catch (IOException e) {
            LOG.error("cannot record the outcome of webhook {}: {}", webhook.id(), e.toString());
            release(webhook, failure);
        }
    }

    /** Puts a webhook back as it was (its attempt did not count), so that it is tried again later. */
    private void release(SpooledWebhook webhook, String why) {
        try {
            spool.retryLater(new SpooledWebhook(webhook.key(), webhook.id(), webhook.vcs(), webhook.appId(),
                webhook.receivedAt(), webhook.contentType(), webhook.headers(), webhook.body(), webhook.attempts(),
                clock.instant().plus(policy.backoff(1)), webhook.lastError(), webhook.target()));
        } catch (IOException e) {
            LOG.error("webhook {} stays in the spool for the next start ({}): {}", webhook.id(), why, e.toString());
        }
    }

    /** Stops taking new attempts; attempts under way finish. */
    public void beginStop() {
        stopping.set(true);
        ticker.shutdown();
    }

    @Override
    public void close() {
        stopping.set(true);
        ticker.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        route.close();
    }

    int concurrency() {
        return concurrency;
    }
}
