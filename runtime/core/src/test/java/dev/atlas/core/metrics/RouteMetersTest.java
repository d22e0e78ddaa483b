package dev.atlas.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RouteMeters}: Camel's route meter names and tags, counted per route, each exchange once per route. */
class RouteMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile long held;
    private CamelContext camel;
    private ProducerTemplate send;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("meters-test");
        camel.addRoutePolicyFactory(new RouteMeters(registry));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:ok").routeId("ok").setBody(constant("fine"));
                from("direct:fails").routeId("fails").errorHandler(noErrorHandler()).throwException(new IllegalStateException("broken"));
                from("direct:handled").routeId("handled")
                    .onException(IllegalArgumentException.class).handled(true).setBody(constant("answered")).end()
                    .throwException(new IllegalArgumentException("bad input"));
                from("direct:outer").routeId("outer").to("direct:ok").setBody(constant("outer"));
                from("direct:slow").routeId("slow").process(e -> {
                    long start = System.nanoTime();
                    entered.countDown();
                    release.await(5, TimeUnit.SECONDS);
                    held = System.nanoTime() - start;
                });
            }
        });
        camel.start();
        send = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void everyRouteHasCamelsMeterNamesAndTagsFromTheStart() {
        Map<String, String> tags = registry.find("camel.exchanges.total").tag("routeId", "ok").counter().getId()
            .getTags().stream().collect(Collectors.toMap(t -> t.getKey(), t -> t.getValue()));
        assertThat(tags).containsExactlyInAnyOrderEntriesOf(Map.of("camelContext", "meters-test", "routeId", "ok",
            "eventType", "route", "kind", "CamelRoute"));
        for (String route : new String[] {"ok", "fails", "handled", "outer", "slow"}) {
            assertThat(registry.find("camel.exchanges.total").tag("routeId", route).counters()).hasSize(1);
            assertThat(registry.find("camel.exchanges.succeeded").tag("routeId", route).counters()).hasSize(1);
            assertThat(registry.find("camel.exchanges.failed").tag("routeId", route).counters()).hasSize(1);
            assertThat(registry.find("camel.exchanges.failures.handled").tag("routeId", route).counters())
                .hasSize(1);
            assertThat(registry.find("camel.exchanges.external.redeliveries").tag("routeId", route).counters())
                .hasSize(1);
            assertThat(registry.find("camel.route.policy").tag("routeId", route).timers()).hasSize(1);
        }
        assertThat(registry.getMeters()).noneMatch(m -> "context".equals(m.getId().getTag("eventType")));
    }

    @Test
    void camelsVersionGaugeIsRegisteredOnceWithoutMicrometersDuplicateWarning() throws Exception {
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        ch.qos.logback.classic.Logger micrometer = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
            .getLogger(io.micrometer.core.instrument.MeterRegistry.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
            new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        micrometer.addAppender(logs);
        // Micrometer warns once per process, then logs the same line at DEBUG
        ch.qos.logback.classic.Level level = micrometer.getLevel();
        micrometer.setLevel(ch.qos.logback.classic.Level.DEBUG);
        CamelContext second = new DefaultCamelContext();
        try {
            second.getCamelContextExtension().setName("two-routes");
            second.addRoutePolicyFactory(new RouteMeters(own));
            second.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:a").routeId("a").setBody(constant("a"));
                    from("direct:b").routeId("b").setBody(constant("b"));
                }
            });
            second.start();
        } finally {
            second.stop();
            micrometer.detachAppender(logs);
            micrometer.setLevel(level);
        }
        assertThat(own.find("app.info").gauges()).singleElement()
            .satisfies(g -> assertThat(g.getId().getTag("camel.context")).isEqualTo("two-routes"));
        assertThat(own.find("camel.exchanges.total").counters()).hasSize(2);
        assertThat(logs.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
            .noneMatch(m -> m.contains("already registered"));
    }

    @Test
    void aSucceededAFailedAndAHandledExchangeAreEachCountedAndTimedOnTheirOwnRoute() {
        send.requestBody("direct:ok", "x");
        send.requestBody("direct:ok", "x");
        assertThatThrownBy(() -> send.requestBody("direct:fails", "x")).hasRootCauseMessage("broken");
        assertThat(send.requestBody("direct:handled", "x")).isEqualTo("answered");

        assertThat(count("camel.exchanges.total", "ok")).isEqualTo(2);
        assertThat(count("camel.exchanges.succeeded", "ok")).isEqualTo(2);
        assertThat(count("camel.exchanges.failed", "ok")).isZero();
        assertThat(timer("ok").count()).isEqualTo(2);

        assertThat(count("camel.exchanges.total", "fails")).isEqualTo(1);
        assertThat(count("camel.exchanges.failed", "fails")).isEqualTo(1);
        assertThat(count("camel.exchanges.succeeded", "fails")).isZero();
        assertThat(count("camel.exchanges.failures.handled", "fails")).isZero();
        assertThat(timer("fails").count()).isEqualTo(1);

        // a failure an onException handled is a success with a handled failure, as Camel's own policy counts it
        assertThat(count("camel.exchanges.succeeded", "handled")).isEqualTo(1);
        assertThat(count("camel.exchanges.failed", "handled")).isZero();
        assertThat(count("camel.exchanges.failures.handled", "handled")).isEqualTo(1);
        assertThat(count("camel.exchanges.failures.handled", "ok")).isZero();
    }

    @Test
    void anExchangeThatGoesThroughASecondRouteIsTimedInEachWithTheOuterTimeCoveringTheInner() {
        send.requestBody("direct:outer", "x");

        assertThat(count("camel.exchanges.total", "outer")).isEqualTo(1);
        assertThat(count("camel.exchanges.total", "ok")).isEqualTo(1);
        assertThat(timer("outer").count()).isEqualTo(1);
        assertThat(timer("ok").count()).isEqualTo(1);
        assertThat(timer("outer").totalTime(TimeUnit.NANOSECONDS))
            .isGreaterThanOrEqualTo(timer("ok").totalTime(TimeUnit.NANOSECONDS));
        // the start time an exchange carried for each route is gone once the route is done
        var exchange = send.request("direct:outer", e -> { });
        assertThat(exchange.getProperties().keySet()).noneMatch(k -> k.startsWith("atlas.routeStarted."));
    }

    @Test
    void theTimerCoversTheWholeTimeTheExchangeSpentInTheRouteAndCountsItOnlyWhenDone() throws Exception {
        var done = send.asyncRequestBody("direct:slow", "x");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(timer("slow").count()).isZero(); // under way: not yet counted
        assertThat(count("camel.exchanges.total", "slow")).isZero();
        release.countDown();
        done.get(5, TimeUnit.SECONDS);
        assertThat(timer("slow").count()).isEqualTo(1);
        assertThat(timer("slow").totalTime(TimeUnit.NANOSECONDS)).isGreaterThanOrEqualTo(held);
        assertThat(count("camel.exchanges.total", "slow")).isEqualTo(1);
    }

    private double count(String name, String route) {
        return registry.find(name).tag("routeId", route).counter().count();
    }

    private Timer timer(String route) {
        Meter meter = registry.find("camel.route.policy").tag("routeId", route).timer();
        return (Timer) meter;
    }
}
