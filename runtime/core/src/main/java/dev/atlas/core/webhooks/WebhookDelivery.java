package dev.atlas.core.webhooks;

import dev.atlas.core.metrics.MicrometerMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes due webhooks from the spool to {@code POST {cloud.url}/services/webhooks/{vcs}/} ({@code webhookDelivery},
 * ticked by the {@code webhook-delivery} timer route and woken at once when a webhook is spooled). Each attempt is
 * signed anew; 2xx marks it delivered; a retryable failure schedules the next attempt by the {@link RetryPolicy};
 * anything else, or running out of attempts or age, moves it to the dead letters. Nothing is removed from the spool
 * before the cloud answered 2xx.
 */
public final class WebhookDelivery implements Processor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
    private static final Duration RESCAN = Duration.ofSeconds(5);
    private static final Duration PRUNE = Duration.ofMinutes(1);

    private final WebhookSpool spool;
    private final URI endpointBase;
    private final CloudSigner signer;
    private final String runnerId;
    private final RetryPolicy policy;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final DeliveryOutcomes outcomes;
    private final int concurrency;
    private final Semaphore slots;
    private final ExecutorService workers;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean tickPending = new AtomicBoolean();
    private volatile Instant lastRescan = Instant.EPOCH;
    private volatile ReplayWindow replays;
    private volatile Instant lastPrune = Instant.EPOCH;

    public WebhookDelivery(WebhookSpool spool, URI cloudUrl, CloudSigner signer, String runnerId, RetryPolicy policy,
        HttpClient http, Duration timeout, Clock clock, MicrometerMetrics metrics, int concurrency) {
        this(spool, cloudUrl, signer, runnerId, policy, http, timeout, clock, DeliveryOutcomes.webhooks(metrics),
            concurrency);
    }

    /**
     * A delivery whose outcomes go to {@code outcomes}. Spooled entries with a {@link SpooledWebhook#target()} go
     * there (a job result to its task's {@code resultUrl}), the others to the relay's cloud endpoint.
     */
    public WebhookDelivery(WebhookSpool spool, URI cloudUrl, CloudSigner signer, String runnerId, RetryPolicy policy,
        HttpClient http, Duration timeout, Clock clock, DeliveryOutcomes outcomes, int concurrency) {
        this.spool = spool;
        String base = cloudUrl.toString();
        this.endpointBase = URI.create(base.endsWith("/") ? base : base + "/");
        this.signer = signer;
        this.runnerId = runnerId;
        this.policy = policy;
        this.http = http;
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
    }

    @Override
    public void process(Exchange exchange) {
        tick();
    }

    /**
     * Starts attempts now for what is due (called when a webhook was just spooled, and when an attempt ends so that a
     * backlog drains at full speed). Wakes coalesce: at most one extra tick waits at a time.
     */
    public void wake() {
        if (!stopping.get() && tickPending.compareAndSet(false, true)) {
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
        int free = slots.availablePermits();
        if (free == 0) {
            return;
        }
        List<SpooledWebhook> due = spool.due(now, free);
        for (SpooledWebhook webhook : due) {
            slots.acquireUninterruptibly();
            try {
                workers.execute(() -> {
                    try {
                        attempt(webhook);
                    } finally {
                        slots.release();
                        wake();
                    }
                });
            } catch (RuntimeException e) {
                slots.release();
                throw e;
            }
        }
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

    /** One delivery attempt of {@code webhook}, with its outcome recorded in the spool. */
    void attempt(SpooledWebhook webhook) {
        Instant started = clock.instant();
        String failure;
        boolean retryable;
        try {
            HttpResponse<Void> response = http.send(request(webhook, started), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                spool.delivered(webhook);
                outcomes.delivered(webhook, webhook.attempts() + 1,
                    Duration.between(webhook.receivedAt(), clock.instant()));
                return;
            }
            failure = "cloud answered " + status;
            retryable = RetryPolicy.retryable(status);
        } catch (HttpTimeoutException e) {
            failure = "timed out after " + timeout.toSeconds() + "s";
            retryable = true;
        } catch (IOException e) {
            failure = "cannot reach the cloud (" + e.getClass().getSimpleName() + ")";
            retryable = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(webhook, "interrupted");
            return;
        }
        record(webhook, failure, retryable);
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

    private HttpRequest request(SpooledWebhook webhook, Instant now) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(webhook.target()
                .orElseGet(() -> endpointBase.resolve("services/webhooks/" + webhook.vcs() + "/")))
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.ofByteArray(webhook.body()));
        webhook.headers().forEach(builder::header);
        webhook.contentType().ifPresent(c -> builder.header("Content-Type", c));
        builder.header("X-Atlas-Runner-Id", runnerId);
        builder.header("X-Atlas-App-Id", webhook.appId());
        if (webhook.target().isEmpty()) {
            builder.header("X-Atlas-Vcs", webhook.vcs());
        }
        // webhook-timestamp is this attempt's (SPEC §4, so the cloud's freshness check holds on retries); this is
        // when Atlas first accepted the webhook, the same on every attempt
        builder.header("X-Atlas-Accepted-At", Long.toString(webhook.receivedAt().getEpochSecond()));
        signer.headers(webhook.id(), now.getEpochSecond(), webhook.body()).forEach(builder::header);
        return builder.build();
    }

    /** Stops taking new attempts; attempts under way finish. */
    public void beginStop() {
        stopping.set(true);
    }

    @Override
    public void close() {
        stopping.set(true);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    int concurrency() {
        return concurrency;
    }
}
