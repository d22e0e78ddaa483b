package dev.atlas.core.outbox;

import dev.atlas.core.http.AtlasHeaders;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.support.DefaultExchange;

/**
 * The spool's side of a delivery route: each due attempt becomes one exchange sent to the route's consumer endpoint
 * ({@code direct:webhook-delivery}, {@code direct:jobs-results-delivery}), which the shipped route (or the admin's
 * replacement with the same {@code from}) takes through {@code webhookSign} and {@code webhookSend}. The exchange
 * carries the spooled webhook as a property, its raw body, and the SPEC §9 headers {@code AtlasAppId},
 * {@code AtlasVcs}, {@code AtlasEvent}, {@code AtlasDeliveryId} and {@code AtlasAttempt}.
 */
public final class DeliveryRoute {
    /** The relay's consumer endpoint. */
    public static final String WEBHOOKS = "direct:webhook-delivery";
    /** The job results' consumer endpoint. */
    public static final String RESULTS = "direct:jobs-results-delivery";
    /** Exchange property: the spooled webhook of this attempt. */
    static final String WEBHOOK = "atlas.delivery.webhook";
    private final CamelContext camel;
    private final String uri;
    private final Function<SpooledWebhook, String> events;
    private volatile ProducerTemplate producer;
    /** The consumer endpoint, looked up once (by its URI it would be normalised and looked up at every attempt). */
    private volatile org.apache.camel.Endpoint endpoint;
    /** The id of the route consuming {@link #endpoint}, looked up once and again only when it is gone. */
    private volatile String consumerRouteId;

    /** A delivery route whose records name no event ({@code AtlasEvent} empty): job results. */
    public DeliveryRoute(CamelContext camel, String uri) {
        this(camel, uri, webhook -> "");
    }

    /**
     * @param events the {@code AtlasEvent} of a record; for webhooks the app's VCS plugin reads it from the relayed
     *     headers it chose ({@code WebhookVerifier.event}), so the host knows no provider's header names
     */
    public DeliveryRoute(CamelContext camel, String uri, Function<SpooledWebhook, String> events) {
        this.camel = camel;
        this.uri = uri;
        this.events = events;
    }

    /**
     * True while the route consuming this delivery's endpoint is started. An admin may keep it stopped (an override
     * with {@code autoStartup: false}, or a stop through Camel's management) to hold deliveries while the cloud is
     * down or being moved: the spool then keeps every webhook, untried, and no attempt is sent to a consumer that is
     * not there (Camel's direct endpoint would hold each one up to 30 s, and a stop of Atlas would find them in
     * flight).
     */
    boolean consuming() {
        producer();
        String id = consumerRouteId;
        ServiceStatus status = id == null ? null : camel.getRouteController().getRouteStatus(id);
        if (status == null) { // not looked up yet, or the route was removed: find the one consuming the endpoint
            id = camel.getRoutes().stream()
                .filter(route -> route.getEndpoint().getEndpointUri().equals(endpoint.getEndpointUri()))
                .map(Route::getRouteId).findFirst().orElse(null);
            consumerRouteId = id;
            status = id == null ? null : camel.getRouteController().getRouteStatus(id);
        }
        return status != null && status.isStarted();
    }

    /** The id of the route consuming this delivery's endpoint, once {@link #consuming} found it (for log lines). */
    String routeId() {
        String id = consumerRouteId;
        return id == null ? uri : id;
    }

    /** Runs one attempt of {@code webhook} through the route; the returned exchange holds the outcome. */
    Exchange attempt(SpooledWebhook webhook) {
        ProducerTemplate template = producer();
        return template.send(endpoint, exchange(webhook));
    }

    /**
     * Starts one attempt of {@code webhook} through the route without waiting for it: the stage completes with the
     * exchange (which holds the outcome) when the route ends, on whatever thread ends it (the caller's, when every
     * step is synchronous; an HTTP client's, when {@code webhookSend} is asynchronous).
     */
    java.util.concurrent.CompletableFuture<Exchange> attemptAsync(SpooledWebhook webhook) {
        ProducerTemplate template = producer();
        return template.asyncSend(endpoint, exchange(webhook));
    }

    private Exchange exchange(SpooledWebhook webhook) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(WEBHOOK, webhook);
        var message = exchange.getIn();
        message.setBody(webhook.body());
        message.setHeader(AtlasHeaders.APP_ID, webhook.appId());
        message.setHeader(AtlasHeaders.VCS, webhook.vcs());
        message.setHeader(AtlasHeaders.EVENT, events.apply(webhook));
        message.setHeader(AtlasHeaders.DELIVERY_ID, webhook.id());
        message.setHeader(AtlasHeaders.ATTEMPT, Integer.toString(webhook.attempts() + 1));
        return exchange;
    }

    private ProducerTemplate producer() {
        ProducerTemplate template = producer;
        if (template == null) {
            synchronized (this) {
                if (producer == null) {
                    ProducerTemplate created = camel.createProducerTemplate();
                    // asyncSend on the calling thread, completed by the route's own callback: no executor thread
                    // per attempt
                    created.setThreadedAsyncMode(false);
                    endpoint = camel.getEndpoint(uri);
                    producer = created;
                }
                template = producer;
            }
        }
        return template;
    }

    /** The spooled webhook an exchange of a delivery route carries. */
    static SpooledWebhook webhook(Exchange exchange) {
        SpooledWebhook webhook = exchange.getProperty(WEBHOOK, SpooledWebhook.class);
        if (webhook == null) {
            throw new DeliveryFailed("route " + exchange.getFromRouteId() + " is not a delivery route", false);
        }
        return webhook;
    }

    void close() {
        ProducerTemplate template = producer;
        if (template != null) {
            try {
                template.close();
            } catch (java.io.IOException e) {
                // nothing to release beyond the template's own producers
            }
        }
    }
}
