package dev.atlas.tasks.jobs;

import dev.atlas.core.boot.ApplicationModule;
import dev.atlas.core.boot.ModuleContext;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.tokens.TaskTokens;
import dev.atlas.core.outbox.DeliveryRoute;
import dev.atlas.core.outbox.FileWebhookSpool;
import dev.atlas.core.outbox.Outbox;
import dev.atlas.core.outbox.RetryPolicy;
import dev.atlas.core.outbox.WebhookDelivery;
import java.nio.file.Path;

/**
 * Atlas's results endpoint for jobs (SPEC §6): binds {@code resultReceiver} for the routes of
 * {@code jobs-results.camel.yaml} and feeds the {@code jobs-results-delivery} route ({@code webhookSign},
 * {@code webhookSend}, bound by the webhook module) from the results spool.
 *
 * <p>Results ride the webhook relay's delivery machinery rather than a Camel redelivery loop: a result is a body
 * Atlas must record durably before its 202 and then sign for the cloud (Standard Webhooks, {@code runner.cloudSecret})
 * and retry, which is what {@link FileWebhookSpool} and {@link WebhookDelivery} already do (a synced journal record,
 * pending ones resumed at start, backoff with jitter, dead letters, a fresh signature per attempt). Camel redelivery
 * would keep each retry in memory as an exchange in flight: a graceful stop would wait for it, and a restart would
 * need a second path to resume from disk. Each attempt is one exchange of the {@code jobs-results-delivery}
 * route, and a new result wakes the loop at once. The results spool is a file spool of its own under
 * {@code <dataDir>/jobs/results} (whatever {@code webhooks.spool} is), retried by {@code webhooks.maxAttempts},
 * {@code maxAge} and {@code maxBackoff}.
 */
public final class ResultModule implements ApplicationModule {
    /** Deliveries under way at once. */
    static final int DELIVERY_CONCURRENCY = 4;

    private Outbox outbox;

    @Override
    public void configure(ModuleContext context) throws Exception {
        AtlasConfig config = context.assembly().config();
        AtlasConfig.Webhooks retries = config.webhooks();
        long maxBytes = config.tasks().resultsMaxBytes();
        FileWebhookSpool spool = FileWebhookSpool.open(resultsDir(config));
        spool.measureSyncs(context.metrics(), "jobs_results");
        ResultOutcomes outcomes = new ResultOutcomes(context.metrics());
        WebhookDelivery delivery = new WebhookDelivery(spool, new DeliveryRoute(context.camel(), DeliveryRoute.RESULTS),
            new RetryPolicy(retries.maxAttempts(), retries.maxAge(), retries.maxBackoff()),
            config.cloud().deliveryTimeout(), context.clock(), outcomes, DELIVERY_CONCURRENCY);
        TaskTokens tokens = TaskTokens.on(context.signingKeys(), config, context.clock());
        context.bind("resultReceiver", new ResultReceiver(tokens, spool, delivery::wake, maxBytes, outcomes,
            context.clock()));
        outbox = Outbox.startingWith(context.camel(), spool, delivery);
        context.camel().addStartupListener(new ResultBodyLimit(maxBytes,
            (task, size) -> outcomes.refused(task, "too_large", 413, size)));
        context.metrics().gauge("jobs_results_spool_depth", spool::depth);
        context.addReadinessCheck(outbox.readiness("results-spool", "results"));
    }

    /** {@code <dataDir>/jobs/results}: the results spool. */
    public static Path resultsDir(AtlasConfig config) {
        return config.dataDir().resolve("jobs").resolve("results");
    }

    @Override
    public void beforeStop() {
        if (outbox != null) {
            outbox.beginStop();
        }
    }

    @Override
    public void close() {
        if (outbox != null) {
            outbox.close();
        }
    }

    @Override
    public java.util.Set<String> steps() {
        return java.util.Set.of("resultReceiver");
    }

    @Override
    public String id() {
        return "results";
    }

    @Override
    public int order() {
        return 60;
    }
}
