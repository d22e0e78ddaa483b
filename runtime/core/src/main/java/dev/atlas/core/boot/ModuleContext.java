package dev.atlas.core.boot;

import dev.atlas.core.health.Lifecycle;
import dev.atlas.core.health.ReadinessCheck;
import dev.atlas.core.metrics.MicrometerMetrics;
import java.time.Clock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;

/** What an {@link ApplicationModule} gets to configure itself. */
public record ModuleContext(Assembly assembly, CamelContext camel, MicrometerMetrics metrics, Lifecycle lifecycle,
    Clock clock, BiConsumer<String, Object> binder, Consumer<ReadinessCheck> readiness) {

    /** Makes {@code bean} callable from routes as {@code ref: name}. */
    public void bind(String name, Object bean) {
        binder.accept(name, bean);
    }

    public void addReadinessCheck(ReadinessCheck check) {
        readiness.accept(check);
    }
}
