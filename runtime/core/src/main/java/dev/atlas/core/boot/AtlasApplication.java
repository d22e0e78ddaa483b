package dev.atlas.core.boot;

import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.AtlasVersion;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.health.HealthEndpoints;
import dev.atlas.core.health.Lifecycle;
import dev.atlas.core.health.ReadinessCheck;
import dev.atlas.core.http.ErrorResponder;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.metrics.PrometheusScrape;
import dev.atlas.core.outbound.OutboundNetwork;
import dev.atlas.core.plugins.AtlasHostContext;
import dev.atlas.core.plugins.PluginHost;
import dev.atlas.core.tls.ServerTls;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: Camel main with platform-http on {@code server.port}, the routes of the {@link RouteCatalog},
 * the named processors they call, the opened plugins, health and metrics. {@link #stop()} is graceful: readiness
 * turns 503 first, then routes drain within {@code shutdown.timeout}.
 */
public final class AtlasApplication implements AutoCloseable {
    /** Binds a duty's beans, refusing a name the duty did not declare in {@link ApplicationModule#steps()}. */
    static java.util.function.BiConsumer<String, Object> declaredOnly(ApplicationModule module,
        CamelContext camel) {
        return (name, bean) -> {
            if (!module.steps().contains(name)) {
                throw new IllegalStateException("the " + module.id() + " duty binds '" + name
                    + "', which its steps() do not declare (the route checker would refuse routes that use it)");
            }
            camel.getRegistry().bind(name, bean);
        };
    }

    private static final Logger LOG = LoggerFactory.getLogger(AtlasApplication.class);

    private final Assembly assembly;
    private final Clock clock;
    private final Main main = new Main();
    private final Lifecycle lifecycle = new Lifecycle();
    private final MicrometerMetrics metrics = new MicrometerMetrics();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<ApplicationModule> modules = new ArrayList<>();
    private final OutboundNetwork outbound;
    private final AutoCloseable processMeters;
    private HealthEndpoints health;
    /** One more HTTP server per event loop on Atlas's port (Camel starts one, bound to a single loop). */
    private dev.atlas.core.http.EventLoopServers loopServers;

    private AtlasApplication(Assembly assembly, Clock clock) {
        this.assembly = assembly;
        this.clock = clock;
        this.outbound = assembly.outbound();
        AtlasHostContext.useOutbound(outbound);
        this.processMeters = metrics.bindProcessMeters(AtlasVersion.get());
    }

    /** Opens the plugins and starts Camel; returns once the HTTP server listens. */
    public static AtlasApplication start(Assembly assembly, Clock clock, List<ApplicationModule> modules)
        throws Exception {
        AtlasApplication app = new AtlasApplication(assembly, clock);
        app.modules.addAll(modules);
        try {
            app.openPlugins();
            app.startCamel();
        } catch (Exception | Error e) {
            app.close();
            throw e;
        }
        return app;
    }

    private void openPlugins() throws Exception {
        AtlasConfig config = assembly.config();
        for (VcsProvider provider : assembly.providers().values()) {
            var host = new AtlasHostContext(clock, metrics,
                config.dataDir().resolve("plugins").resolve(provider.app().appId()), outbound);
            PluginHost.withPluginLoader(provider, () -> {
                provider.open(host);
                return null;
            });
        }
        if (assembly.driver() != null) {
            var host = new AtlasHostContext(clock, metrics,
                config.dataDir().resolve("plugins").resolve("driver-" + config.tasks().driver()), outbound);
            PluginHost.withPluginLoader(assembly.driver(), () -> {
                assembly.driver().open(host);
                return null;
            });
        }
    }

    private void startCamel() throws Exception {
        AtlasConfig config = assembly.config();
        main.addInitialProperty("camel.main.name", "atlas-" + config.runner().id());
        main.addInitialProperty("camel.main.shutdownTimeout",
            String.valueOf(Math.max(1, config.shutdownTimeout().toSeconds())));
        main.addInitialProperty("camel.main.shutdownSuppressLoggingOnTimeout", "true");
        main.addInitialProperty("camel.main.routesIncludePattern", "classpath:atlas-no-auto-routes/*");
        // the request id goes in the MDC where the request is captured (RequestCapturePolicy); Camel's own MDC unit
        // of work (camel.* keys set and restored around every step) cost 6-12 % of a webhook acceptance's CPU
        main.addInitialProperty("camel.main.useMdcLogging", "false");
        main.addInitialProperty("camel.main.jmxEnabled", "false");
        main.addInitialProperty("camel.server.enabled", "true");
        main.addInitialProperty("camel.server.host", config.server().host());
        // every event loop serves the port (EventLoopServers), which needs it fixed: port 0 is chosen here
        int port = config.server().port() == 0 ? freePort(config.server().host()) : config.server().port();
        main.addInitialProperty("camel.server.port", String.valueOf(port));
        main.addInitialProperty("camel.server.maxBodySize", String.valueOf(config.server().maxBodyBytes()));
        main.addInitialProperty("camel.server.fileUploadEnabled", "false");
        ServerTls tls = config.server().tls().map(ServerTls::new).orElse(null);
        if (tls != null) {
            main.addInitialProperty("camel.server.useGlobalSslContextParameters", "true");
        }
        main.addInitialProperty("camel.health.enabled", "true");
        // route meters (exchanges, failures, processing time per route): Atlas's RouteMeters on its own registry,
        // not camel-micrometer's route policy, which formatted a name and looked its timer up on every exchange
        main.addInitialProperty("camel.metrics.enabled", "false");
        main.addInitialProperty("camel.health.exposureLevel", "oneline");

        // one event loop per core (Vert.x's default is two): fewer threads waking each other for the same work
        int loops = Runtime.getRuntime().availableProcessors();
        main.bind("vertxOptions", new io.vertx.core.VertxOptions().setEventLoopPoolSize(loops));
        main.bind("captureRequest", new RequestCapture());
        main.bind("errorResponder", new ErrorResponder());
        main.bind("prometheusScrape", new PrometheusScrape(metrics));
        main.bind("metricsRegistry", metrics.registry());
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport support) {
                CamelContext camel = support.getCamelContext();
                if (tls != null) {
                    camel.setSSLContextParameters(tls.camelParameters());
                }
                health = new HealthEndpoints(camel, lifecycle);
                health.add(pluginsCheck());
                camel.getRegistry().bind("liveness", health.liveness());
                camel.getRegistry().bind("readiness", health.readiness());
                SigningKeys keys;
                try {
                    keys = SigningKeys.open(assembly.config().auth().signingKeys(), clock);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("cannot open auth.signingKeys: " + e.getMessage(), e);
                }
                // routes whose steps never wait run on the event loop (EventLoopHttpConsumer); the duties say which
                dev.atlas.core.http.EventLoopRoutes eventLoopRoutes = new dev.atlas.core.http.EventLoopRoutes();
                camel.getRegistry().bind(dev.atlas.core.http.EventLoopRoutes.NAME, eventLoopRoutes);
                dev.atlas.core.http.EventLoopHttpEngine engine = new dev.atlas.core.http.EventLoopHttpEngine(
                    eventLoopRoutes);
                engine.setCamelContext(camel);
                camel.getRegistry().bind("platform-http-engine", engine);
                for (ApplicationModule module : modules) {
                    ModuleContext context = new ModuleContext(assembly, camel, metrics, lifecycle, clock, keys,
                        declaredOnly(module, camel), health::add, outbound);
                    try {
                        module.configure(context);
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot configure " + module.getClass().getSimpleName(), e);
                    }
                }
                // admin routes too: neither Atlas* headers nor the request's own headers go back in an answer
                camel.getComponent("platform-http", org.apache.camel.component.platform.http.PlatformHttpComponent.class)
                    .setHeaderFilterStrategy(new dev.atlas.core.http.ResponseHeaderFilter());
                camel.addRoutePolicyFactory(new dev.atlas.core.http.RequestCapturePolicy());
                camel.addRoutePolicyFactory(new dev.atlas.core.metrics.RouteMeters(metrics.registry()));
                addRoutes(camel);
            }
        });
        main.start();
        if (tls != null) {
            tls.install(router(main.getCamelContext()).getServer().getServer());
        }
        installFallbackHandlers(main.getCamelContext());
        VertxPlatformHttpRouter router = router(main.getCamelContext());
        loopServers = dev.atlas.core.http.EventLoopServers.start(router.getServer().getVertx(), loops,
            config.server().host(), port, router.getServer().getServer().requestHandler(),
            Optional.ofNullable(tls).map(ServerTls::sslOptions));
        LOG.info("Atlas {} ready on port {} ({}) with apps {} and driver {}", config.runner().id(), port(),
            tls == null ? "http" : "https", assembly.providers().keySet(), config.tasks().driver());
    }

    private ReadinessCheck pluginsCheck() {
        return ReadinessCheck.of("plugins",
            () -> new ReadinessCheck.Result(true, String.join(",", assembly.plugins().pluginIds())));
    }

    private void addRoutes(CamelContext camel) {
        try {
            List<Resource> resources = new ArrayList<>();
            for (RouteCatalog.RouteFile file : assembly.routes().files()) {
                String name = file.name().endsWith(".camel.yaml") ? file.name() : file.name() + ".camel.yaml";
                resources.add(ResourceHelper.fromString(name, file.yaml()));
            }
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel).findRoutesBuilders(resources)) {
                camel.addRoutes(builder);
            }
            if (!assembly.routes().overriddenIds().isEmpty() || !assembly.routes().addedIds().isEmpty()) {
                LOG.info("admin routes: replaced {}, added {}", assembly.routes().overriddenIds(),
                    assembly.routes().addedIds());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot load routes: " + e.getMessage(), e);
        }
    }

    /** JSON answers for paths no route serves and for bodies over {@code server.maxBodyBytes}. */
    private void installFallbackHandlers(CamelContext camel) {
        // the error handlers belong on the server's top router: the body limit and unmatched paths end there
        if (!(router(camel).getServer().getServer().requestHandler() instanceof io.vertx.ext.web.Router router)) {
            LOG.warn("cannot install JSON answers for 404/405/413: unexpected HTTP server set-up");
            return;
        }
        // from the first moment of a stop, new calls the cloud retries (tasks, proxy, logins) get 503 at once rather
        // than meeting routes half-stopped; health, metrics and webhooks (which the VCS does not retry: they go to the
        // durable spool) stay served until the end
        String webhooks = webhookPrefix(camel);
        router.route().order(-2000).handler(ctx -> {
            String path = ctx.request().path();
            if (lifecycle.stopping() && !path.startsWith("/health/") && !path.equals("/metrics")
                && !path.startsWith(webhooks)) {
                ctx.response().putHeader("Retry-After", "5");
                fallback(ctx, 503, "service_unavailable", "Atlas is stopping");
            } else {
                ctx.next();
            }
        });
        // no route ever gets a body parsed as a form (SPEC §9): webhook signatures cover the raw bytes, and the
        // identity provider parses its forms itself (see RequestCapture.ORIGINAL_CONTENT_TYPE)
        router.route().order(-1000).handler(RequestCapture::keepFormBodyRaw);
        // while stopping, routes go away before the server does: their paths must answer 503, not 404
        router.errorHandler(404, ctx -> {
            if (lifecycle.stopping()) {
                ctx.response().putHeader("Retry-After", "5");
                fallback(ctx, 503, "service_unavailable", "Atlas is stopping");
            } else {
                fallback(ctx, 404, "not_found", "no such path");
            }
        });
        router.errorHandler(405, ctx -> fallback(ctx, 405, "method_not_allowed", "method not allowed on this path"));
        router.errorHandler(413, ctx -> fallback(ctx, 413, "payload_too_large",
            "body over " + assembly.config().server().maxBodyBytes() + " bytes"));
    }

    /** The fixed start of the webhook route's path, wherever an admin mounted it ({@code /webhook/} shipped). */
    private static String webhookPrefix(CamelContext camel) {
        org.apache.camel.Route route = camel.getRoute("webhook-ingress");
        if (route != null
            && route.getEndpoint() instanceof org.apache.camel.component.platform.http.PlatformHttpEndpoint http) {
            String path = http.getPath();
            int brace = path.indexOf('{');
            return brace > 0 ? path.substring(0, brace) : path;
        }
        return "/webhook/";
    }

    private static void fallback(io.vertx.ext.web.RoutingContext ctx, int status, String error, String message) {
        if (ctx.response().headWritten()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        body.put("id", UUID.randomUUID().toString());
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
            .end(new JsonObject(body).encode());
    }

    /** The port the HTTP server listens on (the real one when {@code server.port} is 0). */
    public int port() {
        return router(main.getCamelContext()).getServer().getPort();
    }

    private static VertxPlatformHttpRouter router(CamelContext camel) {
        return camel.getRegistry().findSingleByType(VertxPlatformHttpRouter.class);
    }

    /** A port free on {@code host} now, for {@code server.port: 0} (tests): the system picks it, as it would. */
    private static int freePort(String host) throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return socket.getLocalPort();
        }
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    public MicrometerMetrics metrics() {
        return metrics;
    }

    /** The outbound HTTP set-up (trust, proxy) this application's calls use. */
    public OutboundNetwork outbound() {
        return outbound;
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Blocks until stopped or {@code timeout} passed; true when stopped. */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Graceful stop: readiness turns 503 and new tasks are refused at once, then routes stop (consumers first,
     * in-flight exchanges given {@code shutdown.timeout}), then plugins close. Safe to call twice.
     */
    public void stop() {
        if (!lifecycle.beginStop()) {
            return;
        }
        LOG.info("stopping: readiness is DOWN, draining for at most {}", assembly.config().shutdownTimeout());
        try {
            for (ApplicationModule module : modules) {
                module.beforeStop();
            }
            awaitInflight(assembly.config().shutdownTimeout());
            if (loopServers != null) {
                loopServers.close();
            }
            main.stop();
        } finally {
            close();
        }
    }

    /** Lets exchanges under way (their answers included) finish before the routes and the HTTP server stop. */
    private void awaitInflight(Duration timeout) {
        CamelContext camel = main.getCamelContext();
        if (camel == null) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (camel.getInflightRepository().size() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        for (ApplicationModule module : modules) {
            module.close();
        }
        try {
            processMeters.close();
        } catch (Exception e) {
            LOG.debug("JVM meters did not close: {}", e.toString());
        }
        assembly.close();
        stopped.countDown();
    }
}
