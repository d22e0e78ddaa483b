package dev.atlas.proxy;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the proxy: the ones every VCS's API uses, plus the VCS plugin's own
 * ({@code ApiCredentials.apiRequestHeaders} / {@code apiResponseHeaders}), so the host names no provider's headers.
 * Requests keep only content negotiation and caching headers: the caller's
 * {@code Authorization}, cookies, {@code X-App-ID}, {@code X-Installation-ID}, forwarding and hop-by-hop headers
 * never reach the VCS. Responses keep only what a client needs to read them (type, caching, pagination, rate
 * limits); a {@code Location} survives only when it points at the VCS's own host. For a rule whose answer is
 * filtered, validators cross in neither direction: an {@code ETag} or a 304 to {@code If-None-Match} would tell the
 * caller whether a field it never sees has changed.
 */
final class ForwardedHeaders {
    private static final Set<String> REQUEST = Set.of("accept", "content-type", "if-none-match", "if-modified-since",
        "user-agent");
    private static final Set<String> CONDITIONAL = Set.of("if-none-match", "if-modified-since");
    private static final Set<String> VALIDATORS = Set.of("etag", "last-modified");
    private static final Set<String> RESPONSE = Set.of("content-type", "etag", "last-modified", "link", "retry-after",
        "cache-control");

    private ForwardedHeaders() {
    }

    /**
     * Whether the request header {@code name} goes to the VCS; {@code filtered}: the rule filters the answer;
     * {@code vcsOwn}: the VCS plugin's own API request headers ({@code ApiCredentials.apiRequestHeaders}).
     */
    static boolean forwardRequest(String name, boolean filtered, Set<String> vcsOwn) {
        String lower = name.toLowerCase(Locale.ROOT);
        return (REQUEST.contains(lower) || vcsOwn.contains(lower)) && !(filtered && CONDITIONAL.contains(lower));
    }

    /**
     * The response headers to pass back to the caller; {@code filtered}: the answer went through a filter;
     * {@code vcsOwn}: the VCS plugin's own API response headers ({@code ApiCredentials.apiResponseHeaders}).
     */
    static void copyResponse(Map<String, List<String>> upstream, URI apiUrl, boolean filtered, Set<String> vcsOwn,
        java.util.function.BiConsumer<String, String> out) {
        upstream.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (values.isEmpty() || filtered && VALIDATORS.contains(lower)) {
                return;
            }
            if (RESPONSE.contains(lower) || vcsOwn.contains(lower) || lower.startsWith("x-ratelimit-")) {
                out.accept(name, String.join(", ", values));
            } else if (lower.equals("location") && sameHost(values.get(0), apiUrl)) {
                out.accept(name, values.get(0));
            }
        });
    }

    private static boolean sameHost(String location, URI apiUrl) {
        try {
            URI target = apiUrl.resolve(location);
            return apiUrl.getHost().equalsIgnoreCase(target.getHost()) && apiUrl.getPort() == target.getPort()
                && apiUrl.getScheme().equalsIgnoreCase(target.getScheme());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
