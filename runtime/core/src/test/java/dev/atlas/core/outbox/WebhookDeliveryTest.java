package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.AsyncProcessorSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the delivery hands due webhooks to its slots when woken. */
class WebhookDeliveryTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z"); // the webhooks' due time

    @TempDir
    Path root;

    /** A fixed clock that counts the ticks that read it (a tick reads the time first). */
    private static final class TickCountingClock extends Clock {
        final AtomicInteger ticks = new AtomicInteger();

        @Override
        public Instant instant() {
            boolean inTick = StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals(WebhookDelivery.class.getName()) && f.getMethodName().equals("tick")));
            if (inTick) {
                ticks.incrementAndGet();
            }
            return NOW.plusSeconds(1);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static final DeliveryOutcomes NO_OUTCOMES = new DeliveryOutcomes() {
        @Override
        public void delivered(SpooledWebhook webhook, int attempts, Duration latency) {
        }

        @Override
        public void retried(SpooledWebhook webhook, int attempts, String failure, Instant next) {
        }

        @Override
        public void deadLettered(SpooledWebhook webhook, String reason) {
        }
    };

    @Test
    void wakesWhileEverySlotIsTakenHandNoTickToAWorkerAndAnEndedAttemptStartsTheNextWebhook() throws Exception {
        BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
        Map<String, AsyncCallback> answers = new ConcurrentHashMap<>();
        TickCountingClock clock = new TickCountingClock();
        try (DefaultCamelContext camel = new DefaultCamelContext();
             FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // answers only when the test says so, and returns at once as webhookSend does
                    from(DeliveryRoute.WEBHOOKS).process(new AsyncProcessorSupport() {
                        @Override
                        public boolean process(Exchange exchange, AsyncCallback callback) {
                            String id = DeliveryRoute.webhook(exchange).id();
                            answers.put(id, callback);
                            arrived.add(id);
                            return false;
                        }
                    });
                }
            });
            camel.start();
            for (String key : new String[] {"a", "b", "c"}) {
                spool.accept(FileWebhookSpoolTest.webhook(key));
            }
            WebhookDelivery delivery = new WebhookDelivery(spool, new DeliveryRoute(camel, DeliveryRoute.WEBHOOKS),
                new RetryPolicy(5, Duration.ofHours(1), Duration.ofSeconds(5)), Duration.ofSeconds(5), clock,
                NO_OUTCOMES, 2);
            try {
                delivery.wake();
                String first = arrived.poll(10, TimeUnit.SECONDS);
                String second = arrived.poll(10, TimeUnit.SECONDS);
                assertThat(first).as("first attempt started").isNotNull();
                assertThat(second).as("second attempt started").isNotNull().isNotEqualTo(first);
                int ticksWhileBusy = clock.ticks.get();

                for (int i = 0; i < 100; i++) {
                    delivery.wake(); // what every acceptance does behind a busy delivery
                }
                answers.remove(first).done(false);
                String third = arrived.poll(10, TimeUnit.SECONDS);

                assertThat(third).isEqualTo("id-c");
                assertThat(clock.ticks.get() - ticksWhileBusy)
                    .as("ticks after the burst: only the one the ended attempt asked for")
                    .isEqualTo(1);
            } finally {
                answers.values().forEach(answer -> answer.done(false));
                delivery.beginStop();
                delivery.close();
            }
        }
    }

    @Test
    void aStoppedDeliveryRouteHoldsEveryWebhookInTheSpoolUntriedAndItsStartDeliversThem() throws Exception {
        BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
        try (DefaultCamelContext camel = new DefaultCamelContext();
             FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // an admin's override holding deliveries while the cloud is down
                    from(DeliveryRoute.WEBHOOKS).routeId("webhook-delivery").autoStartup(false)
                        .process(exchange -> arrived.add(DeliveryRoute.webhook(exchange).id()));
                }
            });
            camel.start();
            spool.accept(FileWebhookSpoolTest.webhook("a"));
            spool.accept(FileWebhookSpoolTest.webhook("b"));
            WebhookDelivery delivery = new WebhookDelivery(spool, new DeliveryRoute(camel, DeliveryRoute.WEBHOOKS),
                new RetryPolicy(5, Duration.ofHours(1), Duration.ofSeconds(5)), Duration.ofSeconds(5),
                Clock.fixed(NOW.plusSeconds(1), ZoneOffset.UTC), NO_OUTCOMES, 2);
            try {
                delivery.tick(); // a stopped direct consumer would have held this thread (and the attempt) 30 s
                delivery.wake();
                assertThat(camel.getInflightRepository().size()).as("no attempt waits at the stopped route").isZero();
                assertThat(arrived).isEmpty();
                assertThat(spool.depth()).isEqualTo(2);

                camel.getRouteController().startRoute("webhook-delivery");
                delivery.tick(); // both are due at once: untried, not put back behind a retry's backoff
                assertThat(List.of(arrived.poll(10, TimeUnit.SECONDS), arrived.poll(10, TimeUnit.SECONDS)))
                    .containsExactlyInAnyOrder("id-a", "id-b");
            } finally {
                delivery.beginStop();
                delivery.close();
            }
        }
    }
}
