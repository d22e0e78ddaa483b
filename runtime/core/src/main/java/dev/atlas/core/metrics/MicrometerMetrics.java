package dev.atlas.core.metrics;

import dev.atlas.api.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Atlas's metrics on a Prometheus registry: counters and timers named {@code atlas_<name>}, plus gauges. Served on
 * {@code GET /metrics}.
 */
public final class MicrometerMetrics implements Metrics {
    private static final Duration[] LATENCY_BUCKETS = Stream.of(5L, 10L, 25L, 50L, 100L, 250L, 500L, 1_000L, 2_500L,
        5_000L, 10_000L, 30_000L, 60_000L, 300_000L, 900_000L).map(Duration::ofMillis).toArray(Duration[]::new);
    private final PrometheusMeterRegistry registry;
    /** Each name and tag set's meter, found once: the registry's own lookup builds an id (and a timer's
     * distribution config) per call, on every webhook, delivery and proxied call. */
    private final java.util.concurrent.ConcurrentHashMap<java.util.List<String>, Counter> counters =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<java.util.List<String>, Timer> timers =
        new java.util.concurrent.ConcurrentHashMap<>();

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
        counters.computeIfAbsent(key(name, tags), k -> registry.counter("atlas_" + name, tags)).increment();
    }

    /**
     * Records a latency into a Prometheus histogram with fixed buckets from 5 ms to 15 min ({@code _bucket} series),
     * so that {@code histogram_quantile(0.99, ...)} reads the p99 across replicas.
     */
    @Override
    public void time(String name, Duration duration, String... tags) {
        timers.computeIfAbsent(key(name, tags), k -> Timer.builder("atlas_" + name).tags(tags)
            .publishPercentileHistogram(false).serviceLevelObjectives(LATENCY_BUCKETS).register(registry))
            .record(duration);
    }

    private static java.util.List<String> key(String name, String... tags) {
        String[] key = new String[tags.length + 1];
        key[0] = name;
        System.arraycopy(tags, 0, key, 1, tags.length);
        return java.util.Arrays.asList(key);
    }

    /**
     * The JVM and process meters (memory, GC, threads, class loading, CPU, file descriptors, uptime) and
     * {@code atlas_build_info{version}}. Returns what must be closed on stop (the GC meters listen to the JVM).
     */
    public AutoCloseable bindProcessMeters(String version) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("atlas_log_lines_shed", this,
            m -> dev.atlas.core.logging.SheddingAsyncAppender.shed())
            .description("routine log lines dropped because the log output could not keep up").register(registry);
        // a Micrometer gauge cannot end in _info (the Prometheus client strips it): an Info metric can
        Info.builder().name("atlas_build").help("the running Atlas version").labelNames("version")
            .register(registry.getPrometheusRegistry()).addLabelValues(version);
        return gc;
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
