package dev.atlas.core.http;

import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * The exchange headers the named steps set for the admin steps placed after them (SPEC §9), all strings. They are
 * never sent back in a response ({@link ResponseHeaderFilter}).
 */
public final class AtlasHeaders {
    /** The app the request or webhook is for. */
    public static final String APP_ID = "AtlasAppId";
    /** The app's VCS id. */
    public static final String VCS = "AtlasVcs";
    /** The provider's event ({@code X-GitHub-Event}, {@code X-Gitlab-Event}, {@code X-Event-Key}). */
    public static final String EVENT = "AtlasEvent";
    /** The webhook's id ({@code webhook-id} towards the cloud). */
    public static final String DELIVERY_ID = "AtlasDeliveryId";
    /** The number of this delivery attempt: 1, 2, ... */
    public static final String ATTEMPT = "AtlasAttempt";
    /** A proxied REST call's method. */
    public static final String API_METHOD = "AtlasApiMethod";
    /** A proxied REST call's VCS API path below the route's own prefix, without the query. */
    public static final String API_PATH = "AtlasApiPath";
    /** The policy rule that decided a proxied call. */
    public static final String POLICY_RULE = "AtlasPolicyRule";
    /** {@code allow} or {@code deny}: what the policy decided about a proxied call. */
    public static final String POLICY_DECISION = "AtlasPolicyDecision";

    private AtlasHeaders() {
    }

    /** A required exchange property set by an earlier step; a route missing that step fails loudly (500). */
    public static <T> T required(Exchange exchange, String property, Class<T> type, String step) {
        return Optional.ofNullable(exchange.getProperty(property, type)).orElseThrow(() -> new IllegalStateException(
            "route " + exchange.getFromRouteId() + " runs a step that needs " + step + " before it"));
    }
}
