package dev.atlas.core.http;

import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * The header filter of every platform-http route (set on the component, so admin routes get it without naming it):
 * the request's headers stay on the exchange for admin steps, and this keeps them out of the answer (SPEC §9). On
 * the way out it drops, besides Camel's defaults, every {@code Atlas*} exchange header and every header that equals,
 * by name and value, one of the request's headers, query parameters or path parameters. {@code Content-Type} and
 * {@code X-Request-Id} are exempt: an answer may well have the request's media type, and Atlas answers the caller's
 * own request id on purpose.
 */
public class ResponseHeaderFilter extends HttpHeaderFilterStrategy {
    private static final String PARAMETERS = "atlas.requestParameters";
    private static final List<String> EXEMPT = List.of("content-type", "x-request-id");

    /**
     * Whether {@code headerName} stays out of the answer. It runs for every header on every answering exchange, most of
     * them the request's own, so the cheapest checks come first and nothing is lower-cased or copied for those: an
     * {@code Atlas*} name, then the captured request's own values under that name (its header map is already
     * case-insensitive), then Camel's defaults, then the Vert.x request and the query and path parameters.
     */
    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        if (headerName.regionMatches(true, 0, "atlas", 0, 5)) {
            return true;
        }
        boolean exempt = exchange == null || exempt(headerName);
        InboundRequest request = exchange == null ? null
            : exchange.getProperty(InboundRequest.PROPERTY, InboundRequest.class);
        String value = exempt ? null : String.valueOf(headerValue);
        if (request != null && !exempt) {
            List<String> sent = request.headers().map().get(headerName);
            if (sent != null && sent.contains(value)) {
                return true;
            }
        }
        if (super.applyFilterToCamelHeaders(headerName, headerValue, exchange)) {
            return true;
        }
        if (exempt) {
            return false;
        }
        String name = headerName.toLowerCase(Locale.ROOT);
        HttpServerRequest http = exchange.getIn() instanceof HttpMessage message ? message.getRequest() : null;
        if (http != null && http.headers().getAll(name).contains(value)) {
            return true;
        }
        Set<String> values = parameters(exchange, request, http).get(name);
        return values != null && values.contains(value);
    }

    private static boolean exempt(String headerName) {
        for (String name : EXEMPT) {
            if (name.equalsIgnoreCase(headerName)) {
                return true;
            }
        }
        return false;
    }

    /** The request's query and path parameters by lower-case name, collected once per exchange. */
    @SuppressWarnings("unchecked")
    private static Map<String, Set<String>> parameters(Exchange exchange, InboundRequest request,
        HttpServerRequest http) {
        Map<String, Set<String>> known = exchange.getProperty(PARAMETERS, Map.class);
        if (known == null) {
            known = collect(exchange, request, http);
            exchange.setProperty(PARAMETERS, known);
        }
        return known;
    }

    private static Map<String, Set<String>> collect(Exchange exchange, InboundRequest request,
        HttpServerRequest http) {
        Map<String, Set<String>> echoes = new HashMap<>();
        String rawPath = null;
        if (request != null) {
            request.rawQuery().ifPresent(query -> queryParameters(echoes, query));
            rawPath = request.rawPath();
        }
        if (http != null) {
            http.params().forEach(e -> add(echoes, e.getKey(), List.of(e.getValue())));
            rawPath = rawPath == null ? http.path() : rawPath;
        }
        if (rawPath != null) {
            RoutePath.parameters(exchange, rawPath).forEach((k, v) -> add(echoes, k, List.of(v)));
        }
        return echoes;
    }

    private static void queryParameters(Map<String, Set<String>> echoes, String rawQuery) {
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                add(echoes, java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8),
                    List.of(java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8)));
            } catch (IllegalArgumentException e) {
                add(echoes, name, List.of(value));
            }
        }
    }

    private static void add(Map<String, Set<String>> echoes, String name, List<String> values) {
        echoes.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new HashSet<>()).addAll(values);
    }
}
