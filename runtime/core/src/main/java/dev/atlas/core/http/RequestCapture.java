package dev.atlas.core.http;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.MDC;

/**
 * Keeps the request as an {@link InboundRequest} and gives it a request id (the caller's {@code X-Request-Id} when it
 * is a plain token, else a new one). The first named step of each duty captures the request itself ({@link #of}),
 * leaving the request's headers on the exchange for admin steps; {@link ResponseHeaderFilter} keeps them out of the
 * answer. As the {@code captureRequest} step (older routes, identity provider, operations) it also clears every
 * Camel header.
 */
public final class RequestCapture implements Processor {
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /**
     * Where a form body's real {@code Content-Type} waits while the HTTP layer is told the body is opaque bytes:
     * platform-http would otherwise decode {@code application/x-www-form-urlencoded} bodies into a map and drop the
     * raw bytes a webhook signature covers. Set only by {@link #keepFormBodyRaw}, which first removes any value a
     * caller sent.
     */
    static final String ORIGINAL_CONTENT_TYPE = "X-Atlas-Original-Content-Type";

    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        InboundRequest request = of(exchange);
        message.removeHeaders("*");
        message.setBody(request.body());
        message.setHeader("X-Request-Id", request.requestId());
    }

    private static InboundRequest capture(Exchange exchange, Message message) {
        byte[] body = message.getBody(byte[].class);
        if (body == null) {
            body = new byte[0];
        }
        if (message instanceof HttpMessage http) {
            var req = http.getRequest();
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (Map.Entry<String, String> entry : req.headers()) {
                headers.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(entry.getValue());
            }
            List<String> original = headers.remove(ORIGINAL_CONTENT_TYPE);
            if (original != null) {
                headers.put("Content-Type", original);
            }
            HttpHeaders all = HttpHeaders.of(headers, (k, v) -> true);
            String requestId = all.firstValue("X-Request-Id").filter(id -> SAFE_ID.matcher(id).matches())
                .orElseGet(() -> UniqueIds.next());
            String remote = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
            return new InboundRequest(requestId, req.method().name(), req.path(), Optional.ofNullable(req.query()),
                all, body, remote);
        }
        // a request that did not come through platform-http (tests calling a route directly)
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        message.getHeaders().forEach((k, v) -> {
            if (!k.startsWith("Camel") && v != null) {
                headers.put(k, List.of(String.valueOf(v)));
            }
        });
        String method = message.getHeader(Exchange.HTTP_METHOD, "POST", String.class);
        String path = message.getHeader(Exchange.HTTP_PATH, "/", String.class);
        return new InboundRequest(UniqueIds.next(), method, path,
            Optional.ofNullable(message.getHeader(Exchange.HTTP_RAW_QUERY, String.class)),
            HttpHeaders.of(headers, (k, v) -> true), body, "");
    }

    /** A Vert.x handler, run before the body is read on webhook paths: form bodies stay raw bytes. */
    public static void keepFormBodyRaw(io.vertx.ext.web.RoutingContext ctx) {
        var headers = ctx.request().headers();
        headers.remove(ORIGINAL_CONTENT_TYPE);
        String type = headers.get("Content-Type");
        if (type != null && (type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")
            || type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data"))) {
            headers.set(ORIGINAL_CONTENT_TYPE, type);
            headers.set("Content-Type", "application/octet-stream");
        }
        ctx.next();
    }

    /**
     * The captured request of {@code exchange}, captured now when no step did yet: headers come from the HTTP
     * request itself (never from Camel headers, which admin steps may change), the body from the message. Sets the
     * {@code X-Request-Id} answer header.
     */
    public static InboundRequest of(Exchange exchange) {
        InboundRequest request = exchange.getProperty(InboundRequest.PROPERTY, InboundRequest.class);
        if (request == null) {
            Message message = exchange.getMessage();
            request = capture(exchange, message);
            exchange.setProperty(InboundRequest.PROPERTY, request);
            MDC.put("requestId", request.requestId());
            message.setBody(request.body());
            message.setHeader("X-Request-Id", request.requestId());
        }
        return request;
    }

    /** Takes the request id of {@code exchange} out of this thread's MDC, if it is the one there. */
    static void forget(Exchange exchange) {
        InboundRequest request = exchange.getProperty(InboundRequest.PROPERTY, InboundRequest.class);
        if (request != null && request.requestId().equals(MDC.get("requestId"))) {
            MDC.remove("requestId");
        }
    }
}
