package dev.atlas.proxy;

import dev.atlas.core.http.AtlasHeaders;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.JsonResponses;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.policies.Decision;
import dev.atlas.policies.LoadedPolicy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code proxyPolicy}: the app's allow-list policy decides on the request as received (GraphQL must be JSON, 415;
 * unparsable GraphQL 400; denied 403 with {@code {"error","reason","rule","id"}}), with one audit line either way.
 * Sets {@code AtlasPolicyRule} and {@code AtlasPolicyDecision} ({@code allow} / {@code deny}). A denied call gets
 * its answer here and passes the later proxy steps untouched: nothing denied is ever forwarded.
 */
public final class ProxyPolicy implements Processor {
    private static final Logger AUDIT = LoggerFactory.getLogger(dev.atlas.core.logging.SheddingAsyncAppender.AUDIT_LOGGER);

    private final Map<String, LoadedPolicy> policies;
    private final MicrometerMetrics metrics;
    /** Per app: a GraphQL decision depends only on the body's text, so a repeated document is decided once. */
    private final Map<String, GraphqlDecisionCache> graphqlDecisions = new HashMap<>();

    public ProxyPolicy(Map<String, LoadedPolicy> policies, MicrometerMetrics metrics) {
        this.policies = policies;
        this.metrics = metrics;
        policies.keySet().forEach(app -> graphqlDecisions.put(app, new GraphqlDecisionCache(
            GraphqlDecisionCache.MAX_ENTRIES)));
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        String appId = ProxyExchange.provider(exchange).app().appId();
        boolean graphql = ProxyExchange.graphql(exchange);
        String restPath = ProxyExchange.restPath(exchange);
        if (graphql) {
            JsonContentType.require(request.headers().allValues("Content-Type"));
        }
        Decision decision = decide(appId, request, graphql, restPath);
        AUDIT.info("proxy decision app={} caller={} method={} target={} decision={} rule={} status={}", appId,
            ProxyExchange.caller(exchange), request.method(), graphql ? "graphql" : clip(restPath),
            decision.allowed() ? "allow" : "deny", decision.rule(), decision.status());
        exchange.setProperty(ProxyExchange.DECISION, decision);
        Message message = exchange.getMessage();
        message.setHeader(AtlasHeaders.POLICY_RULE, decision.rule());
        message.setHeader(AtlasHeaders.POLICY_DECISION, decision.allowed() ? "allow" : "deny");
        if (decision.allowed()) {
            metrics.count("proxy_allowed_total", "app", appId, "rule", decision.rule());
            return;
        }
        metrics.count("proxy_denied_total", "app", appId, "rule", decision.rule());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", decision.error());
        body.put("reason", decision.reason());
        body.put("rule", decision.rule());
        body.put("id", request.requestId());
        JsonResponses.write(exchange, decision.status(), body);
    }

    private Decision decide(String appId, InboundRequest request, boolean graphql, String restPath) {
        LoadedPolicy policy = policies.get(appId);
        if (policy == null) {
            return new Decision(false, 403, Decision.POLICY_DENIED, "no API policy applies to this app", "no-policy",
                List.of());
        }
        if (graphql) {
            return graphqlDecisions.get(appId).decide(new String(request.body(), StandardCharsets.UTF_8),
                policy.policy()::checkGraphql);
        }
        return policy.policy().checkRest(request.method(), restPath, request.rawQuery().orElse(null),
            request.headers().allValues("Accept"), request.headers().map(), request.body());
    }

    private static String clip(String path) {
        return path.length() > 200 ? path.substring(0, 200) + "..." : path;
    }
}
