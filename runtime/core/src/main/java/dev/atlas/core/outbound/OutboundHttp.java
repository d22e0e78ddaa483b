package dev.atlas.core.outbound;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.core.net.TrustOptions;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.CamelContextHelper;

/**
 * The asynchronous, pooled HTTP client of the hot outbound paths ({@code proxyForward}, {@code webhookSend}): one
 * Vert.x {@link HttpClient} on the Vert.x instance Camel's platform-http server already runs, so a call neither
 * blocks a thread while it waits nor hands its answer to another thread pool. Set up from {@link OutboundNetwork}
 * (SPEC §10) as the JDK client is: trust in the JVM's CAs plus {@code outbound.caBundle} with host name
 * verification, the egress proxy (HTTP CONNECT for TLS) except for {@code noProxy} hosts, decided per call by the
 * same {@link NoProxyRules}, and the proxy's credentials (sent to that proxy only, with its CONNECT). Redirects are
 * never followed; connections are kept alive and reused (HTTP/1.1, up to {@value #POOL_SIZE} per upstream), so a
 * call on a warm connection costs no connect and no DNS lookup.
 */
public final class OutboundHttp implements AutoCloseable {
    /** Connections kept per upstream (host, port, TLS, proxy). */
    public static final int POOL_SIZE = 64;
    /** Registry name of the one instance a Camel context shares ({@link #shared}). */
    static final String BEAN = "atlasOutboundHttp";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Idle connections are closed before the usual server-side keep-alive limits (nginx 75 s, many LBs 60 s). */
    static final int KEEP_ALIVE_SECONDS = 30;

    private final OutboundNetwork network;
    private final Supplier<Vertx> vertx;
    private volatile Vertx resolved;
    private final Optional<ProxyOptions> proxy;
    private volatile HttpClient client;

    /** A client on the Vert.x {@code vertx} gives when first used, set up from {@code network}. */
    public OutboundHttp(OutboundNetwork network, Supplier<Vertx> vertx) {
        this.network = network;
        this.vertx = vertx;
        this.proxy = network.settings().proxyUrl().map(url -> {
            OutboundProxySelector selector = (OutboundProxySelector) network.proxySelector().orElseThrow();
            ProxyOptions options = new ProxyOptions().setType(ProxyType.HTTP)
                .setHost(selector.address().getHostString()).setPort(selector.address().getPort());
            network.settings().proxyUsername().ifPresent(options::setUsername);
            network.settings().proxyPassword().ifPresent(p -> options.setPassword(p.reveal()));
            return options;
        });
    }

    /**
     * The instance {@code camel} shares between its steps, made on first ask: its Vert.x is platform-http's, looked
     * up on the first call (the server starts after the steps are bound).
     */
    public static synchronized OutboundHttp shared(CamelContext camel, OutboundNetwork network) {
        OutboundHttp existing = camel.getRegistry().lookupByNameAndType(BEAN, OutboundHttp.class);
        if (existing != null) {
            return existing;
        }
        OutboundHttp created = new OutboundHttp(network, () -> platformVertx(camel));
        camel.getRegistry().bind(BEAN, created);
        return created;
    }

    /** The Vert.x platform-http runs on (or a Vert.x bound in the registry, which platform-http would use too). */
    static Vertx platformVertx(CamelContext camel) {
        Set<VertxPlatformHttpRouter> routers = camel.getRegistry().findByType(VertxPlatformHttpRouter.class);
        if (!routers.isEmpty()) {
            return routers.iterator().next().vertx();
        }
        Vertx bound = CamelContextHelper.findSingleByType(camel, Vertx.class);
        if (bound == null) {
            throw new IllegalStateException("no Vert.x instance yet: the platform-http server has not started");
        }
        return bound;
    }

    /** The pooled client, built on first use. */
    public HttpClient client() {
        HttpClient current = client;
        if (current == null) {
            synchronized (this) {
                if (client == null) {
                    client = build(vertx());
                }
                current = client;
            }
        }
        return current;
    }

    /** The Vert.x the client runs on (looked up in the registry once, not on every delivery). */
    public Vertx vertx() {
        Vertx known = resolved;
        if (known == null) {
            known = vertx.get();
            resolved = known;
        }
        return known;
    }

    /**
     * Runs {@code call} (which makes a request) on an event loop: at once when on one already, else on the current
     * Vert.x context's (a platform-http route step runs on a worker thread of the request's event-loop context) or
     * on one of the client's. A request made off its context would have its answer handed to the code reading it a
     * moment after the answer's first bytes are handed on, and those would be lost; on the context, the code that
     * reads the answer is in place before them. Making the request off the event loop costs the same hop anyway.
     */
    public void onEventLoop(Runnable call) {
        Context current = Vertx.currentContext();
        if (current != null && Context.isOnEventLoopThread()) {
            call.run();
        } else {
            (current != null ? current : vertx().getOrCreateContext()).runOnContext(v -> call.run());
        }
    }

    /**
     * A runner of calls on one event loop of the client's, the same for every call it runs: for a caller that makes
     * many calls from threads of its own (webhook delivery). The pooled connections its calls open are opened on
     * that loop and its calls reuse them there, so neither a request nor its answer is handed between event loops
     * (with {@link #onEventLoop} from a plain thread, each calling thread would be given a loop of its own and reuse
     * connections opened on the other loop, each such call crossing over and back).
     */
    public java.util.concurrent.Executor oneEventLoop() {
        return new java.util.concurrent.Executor() {
            private volatile Context context;

            @Override
            public void execute(Runnable call) {
                Context on = context;
                if (on == null) {
                    synchronized (this) {
                        if (context == null) {
                            // from a thread that is not Vert.x's, a new context on the next event loop
                            context = vertx().getOrCreateContext();
                        }
                        on = context;
                    }
                }
                on.runOnContext(v -> call.run());
            }
        };
    }

    private HttpClient build(Vertx on) {
        HttpClientOptions options = new HttpClientOptions()
            .setName("atlas-outbound")
            .setKeepAlive(true)
            .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
            .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
            .setVerifyHost(true)
            .setTrustOptions(TrustOptions.wrap(network.trustManager()));
        return on.createHttpClient(options, new PoolOptions().setHttp1MaxSize(POOL_SIZE));
    }

    /**
     * The options of one call to {@code uri} (absolute, {@code http} or {@code https}): the proxy unless
     * {@code noProxy} names its host, no redirects, {@code timeout} without a byte from the upstream ends it with a
     * {@link java.util.concurrent.TimeoutException}, and the connect may take at most 5 s of it.
     */
    public RequestOptions request(HttpMethod method, URI uri, Duration timeout) {
        boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
        if (!ssl && !"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute http(s) URL");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        RequestOptions options = new RequestOptions()
            .setMethod(method)
            .setHost(host)
            .setPort(uri.getPort() != -1 ? uri.getPort() : ssl ? 443 : 80)
            .setSsl(ssl)
            .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
            .setFollowRedirects(false)
            .setConnectTimeout(Math.min(CONNECT_TIMEOUT.toMillis(), timeout.toMillis()))
            .setIdleTimeout(timeout.toMillis());
        if (proxy.isPresent() && network.proxyFor(uri) != Proxy.NO_PROXY) {
            options.setProxyOptions(proxy.get());
        }
        return options;
    }

    @Override
    public void close() {
        HttpClient current = client;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public String toString() {
        return "OutboundHttp[proxy=" + proxy.map(p -> p.getHost() + ":" + p.getPort()).orElse("none") + "]";
    }
}
