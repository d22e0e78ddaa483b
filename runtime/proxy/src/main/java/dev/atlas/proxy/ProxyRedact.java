package dev.atlas.proxy;

import java.util.Set;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.AtlasHeaders;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.policies.Decision;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * {@code proxyRedact}, last step of the proxy routes: the VCS's answer goes back through the deciding rule's
 * response filter (allow-list, redactions), without validators ({@code ETag}, {@code Last-Modified}) when it was
 * filtered; an answer the filter cannot read is 502, never passed on as it is. Writes the answer: status, the
 * forwarded response headers, the body.
 */
public final class ProxyRedact implements Processor {
    private final MicrometerMetrics metrics;

    public ProxyRedact(MicrometerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        if (ProxyExchange.denied(exchange)) {
            return;
        }
        Decision decision = ProxyExchange.decision(exchange);
        ProxyForward.Upstream upstream = AtlasHeaders.required(exchange, ProxyExchange.RESPONSE,
            ProxyForward.Upstream.class, "proxyForward");
        byte[] body = upstream.body();
        boolean filtered = decision.response().filters();
        if (filtered) {
            try {
                body = decision.response().apply(upstream.status(), body);
            } catch (RuntimeException e) {
                // an answer that cannot be filtered is never passed on as it is
                metrics.count("proxy_upstream_errors_total", "kind", "unredactable");
                throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS answer could not be filtered");
            }
        }
        Message message = exchange.getMessage();
        for (String name : List.copyOf(message.getHeaders().keySet())) {
            if (!name.startsWith("Atlas") && !name.equals("X-Request-Id")) {
                message.removeHeader(name);
            }
        }
        Set<String> vcsOwn = ProxyExchange.provider(exchange) instanceof ApiCredentials credentials
            ? credentials.apiResponseHeaders() : Set.of();
        ForwardedHeaders.copyResponse(upstream.headers(), upstream.apiUrl(), filtered, vcsOwn, message::setHeader);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, upstream.status());
        // a Vert.x Buffer over the bytes: platform-http writes it at once, where a byte[] would be pumped through an
        // InputStream on a worker thread (steps after this one read it as text or bytes through Camel's converters)
        message.setBody(io.vertx.core.buffer.Buffer.buffer(body));
    }
}
