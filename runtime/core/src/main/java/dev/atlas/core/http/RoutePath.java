package dev.atlas.core.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;

/**
 * What a step knows of the path its route is mounted at: the {@code from} of the route the exchange came in
 * ({@code platform-http:/webhook/{vcs}/{appId}}, {@code platform-http:/vcs/rest} with {@code matchOnUriPrefix}).
 * Steps read their path parameters and prefix from here, so that an admin may mount a route at another path and it
 * works the same (SPEC §9). Parameters are matched on the raw (still percent-encoded) path, segment by segment,
 * rather than read from Camel headers, which platform-http also fills from the query string.
 */
public final class RoutePath {
    private RoutePath() {
    }

    /** The platform-http endpoint the exchange came in through, if it came over HTTP. */
    public static Optional<PlatformHttpEndpoint> endpoint(Exchange exchange) {
        Endpoint from = exchange.getFromEndpoint();
        return from instanceof PlatformHttpEndpoint http ? Optional.of(http) : Optional.empty();
    }

    /** The route's own path template, e.g. {@code /webhook/{vcs}/{appId}}. */
    public static Optional<String> template(Exchange exchange) {
        return endpoint(exchange).map(PlatformHttpEndpoint::getPath);
    }

    /** Whether the route serves every path below its own ({@code matchOnUriPrefix}). */
    public static boolean prefixRoute(Exchange exchange) {
        return endpoint(exchange).map(PlatformHttpEndpoint::isMatchOnUriPrefix).orElse(false);
    }

    /**
     * The path parameters of {@code rawPath} under the route's template; empty when the exchange did not come over
     * HTTP or the path does not fit the template.
     */
    public static Map<String, String> parameters(Exchange exchange, String rawPath) {
        return template(exchange).map(t -> match(t, rawPath, prefixRoute(exchange))).orElse(Map.of());
    }

    /** One path parameter; 404 when the route's template has no such parameter or the path does not fit. */
    public static String parameter(Exchange exchange, String rawPath, String name) {
        String value = parameters(exchange, rawPath).get(name);
        if (value == null || value.isEmpty()) {
            throw AtlasException.notFound("no such path");
        }
        return value;
    }

    /**
     * The part of {@code rawPath} below the route's own prefix ({@code /repos/a/b} of {@code /vcs/rest/repos/a/b});
     * empty when the path is not below it.
     */
    public static String below(Exchange exchange, String rawPath) {
        String prefix = template(exchange).orElse("");
        return !prefix.isEmpty() && rawPath.startsWith(prefix) ? rawPath.substring(prefix.length()) : "";
    }

    static Map<String, String> match(String template, String rawPath, boolean prefix) {
        String[] pattern = template.split("/", -1);
        String[] actual = rawPath.split("/", -1);
        if (actual.length < pattern.length || (!prefix && actual.length != pattern.length)) {
            return Map.of();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                params.put(p.substring(1, p.length() - 1), actual[i]);
            } else if (!p.equals(actual[i])) {
                return Map.of();
            }
        }
        return params;
    }
}
