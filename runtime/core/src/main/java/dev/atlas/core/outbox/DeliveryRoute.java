package dev.atlas.core.outbox;

import dev.atlas.core.http.AtlasHeaders;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
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
    /** The providers' event headers, in the order looked at ({@code webhookVerify} reads the same list). */
    public static final List<String> EVENT_HEADERS = List.of("X-GitHub-Event", "X-Gitlab-Event", "X-Event-Key");

    private final CamelContext camel;
    private final String uri;
    private volatile ProducerTemplate producer;

    public DeliveryRoute(CamelContext camel, String uri) {
        this.camel = camel;
        this.uri = uri;
    }

    /** Runs one attempt of {@code webhook} through the route; the returned exchange holds the outcome. */
    Exchange attempt(SpooledWebhook webhook) {
        return producer().send(uri, exchange(webhook));
    }

    /**
     * Starts one attempt of {@code webhook} through the route without waiting for it: the stage completes with the
     * exchange (which holds the outcome) when the route ends, on whatever thread ends it (the caller's, when every
     * step is synchronous; an HTTP client's, when {@code webhookSend} is asynchronous).
     */
    java.util.concurrent.CompletableFuture<Exchange> attemptAsync(SpooledWebhook webhook) {
        return producer().asyncSend(uri, exchange(webhook));
    }

    private Exchange exchange(SpooledWebhook webhook) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(WEBHOOK, webhook);
        var message = exchange.getIn();
        message.setBody(webhook.body());
        message.setHeader(AtlasHeaders.APP_ID, webhook.appId());
        message.setHeader(AtlasHeaders.VCS, webhook.vcs());
        message.setHeader(AtlasHeaders.EVENT, event(webhook.headers()));
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

    private static String event(Map<String, String> relayed) {
        for (String name : EVENT_HEADERS) {
            for (Map.Entry<String, String> header : relayed.entrySet()) {
                if (header.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    return header.getValue();
                }
            }
        }
        return "";
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
