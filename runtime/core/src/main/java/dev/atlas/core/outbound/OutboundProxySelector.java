package dev.atlas.core.outbound;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Sends every outbound connection to {@code outbound.proxy.url} except hosts {@code noProxy} names. The proxy's
 * address is kept unresolved so that the JDK resolves it per connection (a proxy behind DNS round-robin keeps
 * working when its addresses change).
 */
public final class OutboundProxySelector extends ProxySelector {
    private final Proxy proxy;
    private final NoProxyRules noProxy;

    public OutboundProxySelector(URI proxyUrl, NoProxyRules noProxy) {
        int port = proxyUrl.getPort() != -1 ? proxyUrl.getPort() : "https".equals(proxyUrl.getScheme()) ? 443 : 80;
        this.proxy = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxyUrl.getHost(), port));
        this.noProxy = noProxy;
    }

    /** The proxy as a {@link Proxy} (for clients that take one per connection). */
    public Proxy proxy() {
        return proxy;
    }

    /** The proxy's host and port (where proxy credentials may be sent). */
    public InetSocketAddress address() {
        return (InetSocketAddress) proxy.address();
    }

    /** The way to {@code uri}: direct for {@code noProxy} hosts, else the proxy. */
    public Proxy proxyFor(URI uri) {
        String host = uri.getHost();
        return host == null || noProxy.bypasses(host) ? Proxy.NO_PROXY : proxy;
    }

    @Override
    public List<Proxy> select(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("uri must not be null");
        }
        return List.of(proxyFor(uri));
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        // nothing to fall back to: a call that must go through the proxy never goes around it
    }
}
