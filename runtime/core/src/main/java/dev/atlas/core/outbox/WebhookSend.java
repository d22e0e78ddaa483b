package dev.atlas.core.outbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code webhookSend}, last step of a delivery route: POSTs the spooled body, byte for byte, to
 * {@code {cloud.url}/services/webhooks/{vcs}/} (or a job result's own target) with the headers {@link WebhookSign}
 * signed and every {@code X-} header an admin step set. A 2xx answer is a delivery; anything else is a
 * {@link DeliveryFailed} exception, retryable or not, which the delivery loop records in the spool. Runs on the
 * delivery loop's worker threads, never on the HTTP event loop.
 */
public final class WebhookSend implements Processor {
    /** Exchange property: the cloud's status of a delivered attempt. */
    static final String DELIVERED_STATUS = "atlas.delivery.status";
    /** Headers the HTTP client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final URI endpointBase;
    private final HttpClient http;
    private final Duration timeout;

    public WebhookSend(URI cloudUrl, HttpClient http, Duration timeout) {
        String base = cloudUrl.toString();
        this.endpointBase = URI.create(base.endsWith("/") ? base : base + "/");
        this.http = http;
        this.timeout = timeout;
    }

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        SpooledWebhook webhook = DeliveryRoute.webhook(exchange);
        @SuppressWarnings("unchecked")
        Map<String, String> signed = exchange.getProperty(WebhookSign.SIGNED, Map.class);
        if (signed == null) {
            throw new DeliveryFailed("the delivery route has no webhookSign before webhookSend", false);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(webhook.target()
                .orElseGet(() -> endpointBase.resolve("services/webhooks/" + webhook.vcs() + "/")))
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.ofByteArray(webhook.body()));
        Set<String> sent = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        signed.forEach((name, value) -> {
            builder.header(name, value);
            sent.add(name);
        });
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (name.regionMatches(true, 0, "X-", 0, 2) && value != null && !sent.contains(name)
                && !RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                builder.header(name, String.valueOf(value));
            }
        });
        int status;
        try {
            status = http.send(builder.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (HttpTimeoutException e) {
            throw new DeliveryFailed("timed out after " + timeout.toSeconds() + "s", true);
        } catch (IOException e) {
            throw new DeliveryFailed("cannot reach the cloud (" + e.getClass().getSimpleName() + ")", true);
        }
        if (status < 200 || status >= 300) {
            throw new DeliveryFailed("cloud answered " + status, RetryPolicy.retryable(status));
        }
        exchange.setProperty(DELIVERED_STATUS, status);
    }
}
