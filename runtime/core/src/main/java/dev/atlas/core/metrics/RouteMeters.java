package dev.atlas.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Every route's meters, under the names and tags Camel's own Micrometer route policy uses
 * ({@code camel_exchanges_total}, {@code _succeeded_}, {@code _failed_}, {@code _failures_handled_},
 * {@code _external_redeliveries_} and the {@code camel_route_policy_seconds} timer, tagged {@code camelContext},
 * {@code routeId}, {@code eventType="route"}, {@code kind="CamelRoute"}), so dashboards built on Camel's meters keep
 * working. The difference is the cost: each route's meters are registered once when the route is created, and an
 * exchange only stores its start time and, when done, increments and records. Camel's policy formatted a property
 * name and looked the timer up in the registry on every exchange of every route. Also {@code app_info} with Camel's
 * version, as Camel's metrics had it.
 */
public final class RouteMeters implements RoutePolicyFactory {
    private final MeterRegistry registry;
    private final AtomicBoolean appInfoRegistered = new AtomicBoolean();

    public RouteMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camel, String routeId, NamedNode route) {
        // as Camel's metrics did: which Camel runs (registered with the first route: Micrometer warns when a gauge
        // is registered twice)
        if (appInfoRegistered.compareAndSet(false, true)) {
            Gauge.builder("app.info", () -> 1).description("Camel's version and runtime")
                .tags("camel.context", camel.getName(), "camel.version", camel.getVersion(),
                    "camel.runtime.provider", "Main", "camel.runtime.version", camel.getVersion())
                .register(registry);
        }
        return new Policy(registry, Tags.of("camelContext", camel.getName(), "routeId", routeId,
            "eventType", "route", "kind", "CamelRoute"), "atlas.routeStarted." + routeId);
    }

    private static final class Policy extends RoutePolicySupport {
        private final String started;
        private final Counter total;
        private final Counter succeeded;
        private final Counter failed;
        private final Counter failuresHandled;
        private final Counter externalRedeliveries;
        private final Timer time;

        Policy(MeterRegistry registry, Tags tags, String started) {
            this.started = started; // per route: an exchange that goes on through a direct: route is timed in each
            total = Counter.builder("camel.exchanges.total").description("Total number of processed exchanges")
                .tags(tags).register(registry);
            succeeded = Counter.builder("camel.exchanges.succeeded")
                .description("Number of successfully completed exchanges").tags(tags).register(registry);
            failed = Counter.builder("camel.exchanges.failed").description("Number of failed exchanges")
                .tags(tags).register(registry);
            failuresHandled = Counter.builder("camel.exchanges.failures.handled")
                .description("Number of failures handled").tags(tags).register(registry);
            externalRedeliveries = Counter.builder("camel.exchanges.external.redeliveries")
                .description("Number of external initiated redeliveries (such as from JMS broker)").tags(tags)
                .register(registry);
            time = Timer.builder("camel.route.policy").description("Route performance metrics").tags(tags)
                .register(registry);
        }

        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            exchange.setProperty(started, System.nanoTime());
        }

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            Object begun = exchange.removeProperty(started);
            if (begun instanceof Long nanos) {
                time.record(System.nanoTime() - nanos, TimeUnit.NANOSECONDS);
            }
            total.increment();
            if (exchange.isFailed()) {
                failed.increment();
                return;
            }
            succeeded.increment();
            if (ExchangeHelper.isFailureHandled(exchange)) {
                failuresHandled.increment();
            }
            if (exchange.isExternalRedelivered()) {
                externalRedeliveries.increment();
            }
        }
    }
}
