package dev.atlas.api;

import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The host's outbound network settings ({@code outbound} in {@code atlas.yaml}), for plugins whose client cannot
 * take {@link HostContext#httpClient()} (a Kubernetes client has its own trust and proxy settings). Plugins that call
 * over {@link HostContext#httpClient()} need none of this: that client already trusts the bundle and uses the proxy.
 *
 * @param caBundlePem extra trusted CAs as PEM text, added to the JVM's defaults
 * @param sslContext an SSL context trusting the JVM's defaults plus {@code caBundlePem}
 * @param proxyUrl the HTTP CONNECT proxy every outbound call goes through, unless its host is in {@code noProxy}
 * @param noProxy host names, {@code .suffixes} and CIDR ranges reached directly
 * @param proxyUsername the proxy's user name, when it asks for credentials
 * @param proxyPassword the proxy's password; never log it
 */
public record OutboundSettings(Optional<String> caBundlePem, SSLContext sslContext, Optional<URI> proxyUrl,
    List<String> noProxy, Optional<String> proxyUsername, Optional<Secret> proxyPassword) {

    public OutboundSettings {
        noProxy = List.copyOf(noProxy);
    }

    /** No bundle, no proxy: the JVM's default trust, direct connections. */
    public static OutboundSettings direct() {
        try {
            return new OutboundSettings(Optional.empty(), SSLContext.getDefault(), Optional.empty(), List.of(),
                Optional.empty(), Optional.empty());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default SSL context", e);
        }
    }

    @Override
    public String toString() {
        return "OutboundSettings[caBundle=" + caBundlePem.isPresent() + ", proxy=" + proxyUrl.orElse(null)
            + ", noProxy=" + noProxy + ", proxyUsername=" + proxyUsername.isPresent() + "]";
    }
}
