package dev.atlas.core.outbox;

import dev.atlas.core.metrics.MicrometerMetrics;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link WebhookDelivery} reports about each attempt once its outcome is recorded in the spool: the relay counts
 * them as {@code atlas_webhooks_*}, the job results endpoint as {@code atlas_jobs_results_total{outcome}}. Called on
 * a delivery thread; never blocks. Implementations log no body, token or signature.
 */
public interface DeliveryOutcomes {

    /** The receiver answered 2xx after {@code attempts} attempts, {@code latency} after Atlas accepted it. */
    void delivered(SpooledWebhook webhook, int attempts, Duration latency);

    /** Attempt {@code attempts} failed with {@code failure}; the next one is due at {@code next}. */
    void retried(SpooledWebhook webhook, int attempts, String failure, Instant next);

    /** No more attempts: moved to the dead letters with {@code reason}. */
    void deadLettered(SpooledWebhook webhook, String reason);

    /** The webhook relay's outcomes: {@code atlas_webhooks_delivered_total{vcs}} and the rest, and a log line each. */
    static DeliveryOutcomes webhooks(MicrometerMetrics metrics) {
        Logger log = LoggerFactory.getLogger(WebhookDelivery.class);
        return new DeliveryOutcomes() {
            @Override
            public void delivered(SpooledWebhook webhook, int attempts, Duration latency) {
                metrics.count("webhooks_delivered_total", "vcs", webhook.vcs());
                metrics.time("webhooks_delivery_latency", latency, "vcs", webhook.vcs());
                log.info("webhook {} delivered to the cloud after {} attempt(s)", webhook.id(), attempts);
            }

            @Override
            public void retried(SpooledWebhook webhook, int attempts, String failure, Instant next) {
                metrics.count("webhooks_retried_total", "vcs", webhook.vcs());
                log.info("webhook {} attempt {} failed ({}); next attempt at {}", webhook.id(), attempts, failure, next);
            }

            @Override
            public void deadLettered(SpooledWebhook webhook, String reason) {
                metrics.count("webhooks_dead_lettered_total", "vcs", webhook.vcs());
                log.warn("webhook {} dead-lettered: {}", webhook.id(), reason);
            }
        };
    }
}
