package dev.atlas.proxy;

import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasHeaders;
import dev.atlas.policies.Decision;
import org.apache.camel.Exchange;

/**
 * The exchange properties the proxy steps hand on to each other (internal state; the SPEC §9 headers are the
 * admin's copy). A denied call keeps flowing to the end of its route with its 403 answer, so that admin steps after
 * {@code proxyPolicy} see every decision; the steps after the policy leave such an exchange as it is.
 */
final class ProxyExchange {
    static final String CALLER = "atlas.proxy.caller";
    static final String GRANT = "atlas.proxy.grant";
    static final String PROVIDER = "atlas.proxy.provider";
    static final String GRAPHQL = "atlas.proxy.graphql";
    static final String REST_PATH = "atlas.proxy.restPath";
    static final String DECISION = "atlas.proxy.decision";
    static final String AUTH = "atlas.proxy.auth";
    static final String RESPONSE = "atlas.proxy.response";

    private ProxyExchange() {
    }

    static String caller(Exchange exchange) {
        return AtlasHeaders.required(exchange, CALLER, String.class, "proxyAuthenticate");
    }

    static VcsProvider provider(Exchange exchange) {
        return AtlasHeaders.required(exchange, PROVIDER, VcsProvider.class, "proxyApp");
    }

    static boolean graphql(Exchange exchange) {
        return AtlasHeaders.required(exchange, GRAPHQL, Boolean.class, "proxyApp");
    }

    static String restPath(Exchange exchange) {
        return AtlasHeaders.required(exchange, REST_PATH, String.class, "proxyApp");
    }

    static Decision decision(Exchange exchange) {
        return AtlasHeaders.required(exchange, DECISION, Decision.class, "proxyPolicy");
    }

    /** Whether the policy denied this call (its 403 answer is already written). */
    static boolean denied(Exchange exchange) {
        Decision decision = exchange.getProperty(DECISION, Decision.class);
        return decision != null && !decision.allowed();
    }
}
