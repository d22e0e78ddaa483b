package dev.atlas.core.metrics;

import dev.atlas.api.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Atlas's metrics on a Prometheus registry: counters and timers named {@code atlas_<name>}, plus gauges. Served on
 * {@code GET /metrics}.
 */
public final class MicrometerMetrics implements Metrics {
    private final PrometheusMeterRegistry registry;

    public MicrometerMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public MicrometerMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void count(String name, String... tags) {
        registry.counter("atlas_" + name, tags).increment();
    }

    @Override
    public void time(String name, Duration duration, String... tags) {
        Timer.builder("atlas_" + name).tags(tags).publishPercentileHistogram(false).register(registry)
            .record(duration);
    }

    /** Registers a gauge read from {@code value} at each scrape. */
    public void gauge(String name, Supplier<Number> value, String... tags) {
        io.micrometer.core.instrument.Gauge.builder("atlas_" + name, value).tags(tags).register(registry);
    }

    /** The registry, for binders that want a plain {@link MeterRegistry}. */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
