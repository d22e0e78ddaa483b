package dev.atlas.tasks.jobs;

import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.outbox.DeliveryOutcomes;
import dev.atlas.core.outbox.SpooledWebhook;
import io.micrometer.core.instrument.DistributionSummary;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every result passing through the results endpoint is counted and logged, by size, task, name and status, never by
 * content: {@code atlas_jobs_results_total{outcome}} ({@code recorded}, {@code duplicate}, a refusal such as
 * {@code unauthorized} or {@code too_large}, then {@code delivered}, {@code retried}, {@code dead_lettered}) and the
 * summary {@code atlas_jobs_results_bytes} of recorded results.
 */
final class ResultOutcomes implements DeliveryOutcomes {
    private static final Logger LOG = LoggerFactory.getLogger(ResultOutcomes.class);
    static final String TASK_HEADER = "X-Atlas-Task-Id";
    static final String NAME_HEADER = "X-Atlas-Result-Name";

    private final MicrometerMetrics metrics;
    private final DistributionSummary bytes;

    ResultOutcomes(MicrometerMetrics metrics) {
        this.metrics = metrics;
        this.bytes = DistributionSummary.builder("atlas_jobs_results_bytes").baseUnit("bytes")
            .description("sizes of the job results Atlas recorded").register(metrics.meterRegistry());
    }

    /** A result recorded on disk, to be forwarded. */
    void recorded(String taskId, String name, int size) {
        metrics.count("jobs_results_total", "outcome", "recorded");
        bytes.record(size);
        LOG.info("result {} of task {} recorded ({} bytes): 202", name, taskId, size);
    }

    /** A repeat of a result already recorded for the task. */
    void duplicate(String taskId, String name, int size) {
        metrics.count("jobs_results_total", "outcome", "duplicate");
        LOG.info("result {} of task {} is a repeat ({} bytes): 202, not forwarded again", name, taskId, size);
    }

    /** A result refused with {@code status}; {@code taskId} is as the path gave it, already checked to be plain. */
    void refused(String taskId, String outcome, int status, long size) {
        metrics.count("jobs_results_total", "outcome", outcome);
        LOG.info("result for task {} refused ({} bytes): {} {}", taskId, size, status, outcome);
    }

    @Override
    public void delivered(SpooledWebhook result, int attempts, Duration latency) {
        metrics.count("jobs_results_total", "outcome", "delivered");
        metrics.time("jobs_results_delivery_latency", latency);
        LOG.info("result {} of task {} forwarded to the cloud ({} bytes) after {} attempt(s)", name(result),
            task(result), result.body().length, attempts);
    }

    @Override
    public void retried(SpooledWebhook result, int attempts, String failure, Instant next) {
        metrics.count("jobs_results_total", "outcome", "retried");
        LOG.info("result {} of task {}: attempt {} failed ({}); next attempt at {}", name(result), task(result),
            attempts, failure, next);
    }

    @Override
    public void deadLettered(SpooledWebhook result, String reason) {
        metrics.count("jobs_results_total", "outcome", "dead_lettered");
        LOG.warn("result {} of task {} dead-lettered: {}", name(result), task(result), reason);
    }

    private static String task(SpooledWebhook result) {
        return result.headers().getOrDefault(TASK_HEADER, "?");
    }

    private static String name(SpooledWebhook result) {
        return result.headers().getOrDefault(NAME_HEADER, "?");
    }
}
