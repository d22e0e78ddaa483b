package dev.atlas.core.http;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Captures every HTTP request ({@link RequestCapture#of}) as its exchange begins, before the route's first step:
 * no step an admin writes can come before it or remove it, and the request's own headers stay on the exchange for
 * admin steps. Installed on the Camel context for every route; exchanges that did not come over platform-http are
 * left alone. The request's id is in the logging MDC ({@code requestId}) from then on, on the thread that captured it,
 * until the exchange is done: a line logged there afterwards (a delivery's outcome on the same event loop, say) names
 * no request rather than the last one.
 */
public final class RequestCapturePolicy implements RoutePolicyFactory {
    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        return new RoutePolicySupport() {
            @Override
            public void onExchangeBegin(Route route, Exchange exchange) {
                if (RoutePath.endpoint(exchange).isPresent()) {
                    RequestCapture.of(exchange);
                }
            }

            @Override
            public void onExchangeDone(Route route, Exchange exchange) {
                RequestCapture.forget(exchange);
            }
        };
    }
}
