package dev.atlas.core.boot;

import dev.atlas.core.health.Lifecycle;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.health.ReadinessCheck;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.outbound.OutboundNetwork;
import java.time.Clock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;

/**
 * What an {@link ApplicationModule} gets to configure itself. {@link #signingKeys()} is the one instance of the keys
 * in {@code auth.signingKeys} that every module signs and verifies with (identity provider tokens, task tokens).
 * {@link #outbound()} is the one outbound HTTP set-up (trust, proxy) every outbound call uses.
 */
public record ModuleContext(Assembly assembly, CamelContext camel, MicrometerMetrics metrics, Lifecycle lifecycle,
    Clock clock, SigningKeys signingKeys, BiConsumer<String, Object> binder, Consumer<ReadinessCheck> readiness,
    OutboundNetwork outbound) {

    /** Makes {@code bean} callable from routes as {@code ref: name}. */
    public void bind(String name, Object bean) {
        binder.accept(name, bean);
    }

    public void addReadinessCheck(ReadinessCheck check) {
        readiness.accept(check);
    }
}
