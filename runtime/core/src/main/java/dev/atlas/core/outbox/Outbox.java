package dev.atlas.core.outbox;

import dev.atlas.core.health.ReadinessCheck;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;

/**
 * A spool and its delivery loop, with the lifecycle both duties that deliver to the cloud share (the webhook relay,
 * the job results): the loop starts once the delivery route consumes, a stop first stops new attempts, then closes
 * the loop (attempts under way finish) and the spool.
 */
public final class Outbox implements AutoCloseable {
    private final WebhookSpool spool;
    private final WebhookDelivery delivery;

    private Outbox(WebhookSpool spool, WebhookDelivery delivery) {
        this.spool = spool;
        this.delivery = delivery;
    }

    /** An outbox whose delivery loop starts when {@code camel} has fully started (its delivery route consumes). */
    public static Outbox startingWith(CamelContext camel, WebhookSpool spool, WebhookDelivery delivery)
        throws Exception {
        camel.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // the loop starts once the delivery route consumes (onCamelContextFullyStarted)
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                delivery.start();
            }
        });
        return new Outbox(spool, delivery);
    }

    /** Readiness {@code name}: up while the spool can store ("{@code label} spool writable"). */
    public ReadinessCheck readiness(String name, String label) {
        return ReadinessCheck.of(name, () -> {
            boolean writable = spool.writable();
            return new ReadinessCheck.Result(writable, label + (writable ? " spool writable" : " spool NOT writable"));
        });
    }

    /** Stops taking new attempts (the first moment of a stop). */
    public void beginStop() {
        delivery.beginStop();
    }

    /** Lets the attempts under way finish, then closes the spool. */
    @Override
    public void close() {
        delivery.close();
        spool.close();
    }
}
