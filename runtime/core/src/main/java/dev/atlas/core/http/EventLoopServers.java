package dev.atlas.core.http;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SSLOptions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the HTTP port from every Vert.x event loop, not only from the one Camel's platform-http server was bound to.
 *
 * <p>A Vert.x HTTP server handles all its connections on the event loop of the context it was started from, and
 * Camel starts one server: every request of every route was read, verified, spooled and answered by a single thread
 * while the other core idled. Vert.x shares a listening port between the servers of one Vert.x instance that listen
 * on the same host and port, and deals new connections out in turn to the event loops that have a server on it; so
 * one more server per event loop, with the same request handler (Camel's router, which Vert.x-Web lets several
 * servers share), spreads the connections over every loop. Camel's own server stays (Camel owns its lifecycle); its
 * loop is dealt connections like every other loop, whichever servers it carries.
 *
 * <p>Needs a fixed port: a server listening on port 0 gets a port of its own.
 */
public final class EventLoopServers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoopServers.class);

    private final Vertx vertx;
    private final String deployment;

    private EventLoopServers(Vertx vertx, String deployment) {
        this.vertx = vertx;
        this.deployment = deployment;
    }

    /**
     * Starts one server per event loop on {@code host:port}, each handing its requests to {@code handler}, with
     * {@code tls} when the port serves HTTPS. Returns once all listen; fails when one cannot.
     */
    public static EventLoopServers start(Vertx vertx, int loops, String host, int port,
        Handler<HttpServerRequest> handler, Optional<SSLOptions> tls) throws Exception {
        if (port <= 0) {
            throw new IllegalArgumentException("the servers of every event loop need a fixed port, not " + port);
        }
        String deployment = vertx.deployVerticle(() -> new Listener(host, port, handler, tls),
                new DeploymentOptions().setInstances(loops))
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.debug("port {} served from {} event loops", port, loops);
        return new EventLoopServers(vertx, deployment);
    }

    /** Closes these servers (and their connections); Camel's own server is Camel's to close. */
    @Override
    public void close() {
        try {
            vertx.undeploy(deployment).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("the event loops' HTTP servers did not close: {}", e.toString());
        }
    }

    /** One server, started on the event loop Vert.x gives this verticle instance. */
    private static final class Listener extends AbstractVerticle {
        private final String host;
        private final int port;
        private final Handler<HttpServerRequest> handler;
        private final Optional<SSLOptions> tls;

        Listener(String host, int port, Handler<HttpServerRequest> handler, Optional<SSLOptions> tls) {
            this.host = host;
            this.port = port;
            this.handler = handler;
            this.tls = tls;
        }

        @Override
        public void start(Promise<Void> started) {
            // Atlas serves no WebSocket: without compression offered, Vert.x adds no WebSocket extension handler to
            // each connection's pipeline, which otherwise looked at every request's headers for an upgrade
            HttpServerOptions options = new HttpServerOptions().setPerFrameWebSocketCompressionSupported(false)
                .setPerMessageWebSocketCompressionSupported(false);
            tls.ifPresent(ssl -> {
                options.setSsl(true).setKeyCertOptions(ssl.getKeyCertOptions());
                options.setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
            });
            vertx.createHttpServer(options).requestHandler(handler).listen(port, host)
                .<Void>mapEmpty().onComplete(started);
        }
    }
}
