package dev.atlas.core.outbound;

import dev.atlas.api.OutboundSettings;
import dev.atlas.core.config.AtlasConfig;
import java.net.Authenticator;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's one outbound HTTP set-up ({@code outbound}, SPEC §10): trust in the JVM's CAs plus
 * {@code outbound.caBundle}, the egress proxy with its {@code noProxy} exceptions, and the proxy's credentials.
 * Every outbound call uses it: the shared {@link #httpClient()} (VCS API and OAuth through the plugins, webhook and
 * results delivery, Nomad), {@link #gitConnections()} (the git endpoint's fetch and push), {@link #settings()} (the
 * Kubernetes client).
 */
public final class OutboundNetwork {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundNetwork.class);
    /** The JDK's default; cleared so that the proxy's Basic challenge on a CONNECT tunnel can be answered. */
    static final String TUNNELING_DISABLED_SCHEMES = "jdk.http.auth.tunneling.disabledSchemes";

    private final X509TrustManager trust;
    private final SSLContext sslContext;
    private final Optional<OutboundProxySelector> proxySelector;
    private final Optional<Authenticator> authenticator;
    private final HttpClient httpClient;
    private final OutboundSettings settings;

    private OutboundNetwork(AtlasConfig.Outbound config) throws GeneralSecurityException {
        this.trust = BundleTrust.withBundle(config.caBundlePem().map(PemCertificates::parse).orElse(List.of()));
        this.sslContext = BundleTrust.context(trust);
        this.proxySelector = config.proxy().map(p -> new OutboundProxySelector(p.url(), new NoProxyRules(p.noProxy())));
        this.authenticator = config.proxy().flatMap(p -> p.username().flatMap(user -> p.password().map(password ->
            new ProxyCredentials(proxySelector.orElseThrow().address(), user, password))));
        HttpClient.Builder builder = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .sslContext(sslContext);
        proxySelector.ifPresent(builder::proxy);
        authenticator.ifPresent(builder::authenticator);
        this.httpClient = builder.build();
        this.settings = new OutboundSettings(config.caBundlePem(), sslContext, config.proxy().map(AtlasConfig.Proxy::url),
            config.proxy().map(AtlasConfig.Proxy::noProxy).orElse(List.of()),
            config.proxy().flatMap(AtlasConfig.Proxy::username), config.proxy().flatMap(AtlasConfig.Proxy::password));
    }

    /**
     * Builds the set-up for {@code config}. When proxy credentials are configured, the JDK's refusal to send Basic
     * credentials to a proxy for a CONNECT tunnel ({@code jdk.http.auth.tunneling.disabledSchemes=Basic} by default)
     * is lifted here, before the first client is built: both the JDK HTTP client and {@code HttpURLConnection} read
     * it once. The launcher sets it on the command line as well, so it holds however early a library connects.
     */
    public static OutboundNetwork of(AtlasConfig.Outbound config) {
        if (config.proxy().flatMap(AtlasConfig.Proxy::username).isPresent()) {
            System.setProperty(TUNNELING_DISABLED_SCHEMES, "");
        }
        try {
            OutboundNetwork network = new OutboundNetwork(config);
            config.proxy().ifPresent(p -> LOG.info("outbound calls go through proxy {} except {}{}", p.url(),
                p.noProxy(), p.username().isPresent() ? " (with credentials)" : ""));
            config.caBundlePem().ifPresent(pem -> LOG.info("outbound TLS trusts the JVM's CAs plus {} from "
                + "outbound.caBundle", PemCertificates.parse(pem).size()));
            return network;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up outbound TLS: " + e.getMessage(), e);
        }
    }

    /** No bundle, no proxy. */
    public static OutboundNetwork direct() {
        return of(AtlasConfig.Outbound.DIRECT);
    }

    /** The shared client: trusts the bundle, uses the proxy, never follows redirects, 5 s connect timeout. */
    public HttpClient httpClient() {
        return httpClient;
    }

    public SSLContext sslContext() {
        return sslContext;
    }

    public X509TrustManager trustManager() {
        return trust;
    }

    /** The way to {@code uri}: the proxy, or direct for {@code noProxy} hosts and when no proxy is configured. */
    public Proxy proxyFor(URI uri) {
        return proxySelector.map(s -> s.proxyFor(uri)).orElse(Proxy.NO_PROXY);
    }

    public Optional<ProxySelector> proxySelector() {
        return proxySelector.map(ProxySelector.class::cast);
    }

    /** Answers the proxy's 407 (and nothing else); present when proxy credentials are configured. */
    public Optional<Authenticator> authenticator() {
        return authenticator;
    }

    /** What a plugin that cannot use {@link #httpClient()} needs to do the same (see {@link OutboundSettings}). */
    public OutboundSettings settings() {
        return settings;
    }

    /** JGit's HTTP connections for the git endpoint's fetch and push, with this trust and proxy. */
    public GitConnections gitConnections() {
        return new GitConnections(this);
    }
}
