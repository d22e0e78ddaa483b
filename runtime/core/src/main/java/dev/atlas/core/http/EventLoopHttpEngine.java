package dev.atlas.core.http;

import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Camel's Vert.x platform-http engine, except that the routes of {@link EventLoopRoutes} get an
 * {@link EventLoopHttpConsumer}; every other route runs as Camel runs it (on a Vert.x worker thread).
 */
public final class EventLoopHttpEngine extends VertxPlatformHttpEngine {
    private final EventLoopRoutes eventLoopRoutes;

    public EventLoopHttpEngine(EventLoopRoutes eventLoopRoutes) {
        this.eventLoopRoutes = eventLoopRoutes;
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        if (eventLoopRoutes.contains(endpoint.getPath())) {
            return new EventLoopHttpConsumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
        }
        return super.createConsumer(endpoint, processor);
    }
}
