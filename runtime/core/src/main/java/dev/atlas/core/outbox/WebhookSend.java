package dev.atlas.core.outbox;

import dev.atlas.core.AtlasVersion;
import dev.atlas.core.outbound.OutboundHttp;
import io.netty.buffer.Unpooled;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * {@code webhookSend}, last step of a delivery route: POSTs the spooled body, byte for byte, to
 * {@code {cloud.url}/services/webhooks/{vcs}/} (or a job result's own target) with the headers {@link WebhookSign}
 * signed and every {@code X-} header an admin step set. A 2xx answer is a delivery; anything else is a
 * {@link DeliveryFailed} exception, retryable or not, which the delivery loop records in the spool.
 *
 * <p>Asynchronous on the pooled {@link OutboundHttp} client (Atlas's own Vert.x): no thread waits for the cloud, and
 * the answer's body is discarded as it arrives. Every attempt runs on one event loop ({@link
 * OutboundHttp#oneEventLoop}), where the connections to the cloud are opened and reused. A processor on the client
 * rather than Camel's {@code vertx-http} producer, because the call needs what that producer cannot give per call:
 * the proxy decided per target by the {@code noProxy} rules (CIDR ranges included), a target per webhook (job
 * results), only the signed and {@code X-} headers sent (never the exchange's {@code Atlas*} or Camel headers), and
 * its outcome as a {@link DeliveryFailed} whatever route configuration an admin's replacement route names.
 */
public final class WebhookSend extends AsyncProcessorSupport {
    /** Exchange property: the cloud's status of a delivered attempt. */
    static final String DELIVERED_STATUS = "atlas.delivery.status";
    /** Headers the HTTP client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");
    private static final String USER_AGENT = "Atlas/" + AtlasVersion.get();

    private final URI endpointBase;
    private final OutboundHttp http;
    private final Duration timeout;
    /** Every attempt's call runs on this one event loop, where its pooled connections are (no hop between loops). */
    private final java.util.concurrent.Executor loop;

    public WebhookSend(URI cloudUrl, OutboundHttp http, Duration timeout) {
        String base = cloudUrl.toString();
        this.endpointBase = URI.create(base.endsWith("/") ? base : base + "/");
        this.http = http;
        this.timeout = timeout;
        this.loop = http.oneEventLoop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        RequestOptions options;
        Buffer body;
        try {
            SpooledWebhook webhook = DeliveryRoute.webhook(exchange);
            @SuppressWarnings("unchecked")
            Map<String, String> signed = exchange.getProperty(WebhookSign.SIGNED, Map.class);
            if (signed == null) {
                throw new DeliveryFailed("the delivery route has no webhookSign before webhookSend", false);
            }
            URI target = webhook.target().orElseGet(() -> endpointBase.resolve("services/webhooks/" + webhook.vcs()
                + "/"));
            options = http.request(HttpMethod.POST, target, timeout).setHeaders(headers(exchange, signed));
            body = Buffer.buffer(Unpooled.wrappedBuffer(webhook.body()));
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        try {
            call(exchange, callback, options, body);
        } catch (RuntimeException e) {
            // Vert.x is closing (its event loops refuse work): nothing was sent, the attempt does not count
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        return false;
    }

    private void call(Exchange exchange, AsyncCallback callback, RequestOptions options, Buffer body) {
        loop.execute(() -> http.client().request(options)
            .compose(request -> request.send(body))
            .compose(response -> response.end().map(ended -> response.statusCode()))
            .onComplete(result -> {
                if (result.failed()) {
                    exchange.setException(failure(result.cause()));
                } else if (result.result() < 200 || result.result() >= 300) {
                    exchange.setException(new DeliveryFailed("cloud answered " + result.result(),
                        RetryPolicy.retryable(result.result())));
                } else {
                    exchange.setProperty(DELIVERED_STATUS, result.result());
                }
                callback.done(false);
            }));
    }

    /** What {@link WebhookSign} signed, then every {@code X-} header an admin step set that it did not. */
    private static MultiMap headers(Exchange exchange, Map<String, String> signed) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        signed.forEach(headers::add);
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (name.regionMatches(true, 0, "X-", 0, 2) && value != null && !headers.contains(name)
                && !RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                headers.add(name, String.valueOf(value));
            }
        });
        if (!headers.contains("User-Agent")) {
            headers.set("User-Agent", USER_AGENT);
        }
        return headers;
    }

    private DeliveryFailed failure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof io.netty.channel.ConnectTimeoutException) {
                return new DeliveryFailed("timed out after " + timeout.toSeconds() + "s", true);
            }
        }
        return new DeliveryFailed("cannot reach the cloud (" + cause.getClass().getSimpleName() + ")", true);
    }
}
