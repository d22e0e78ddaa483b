package dev.atlas.core.outbound;

import java.io.IOException;
import java.net.Authenticator;
import java.net.Proxy;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.GeneralSecurityException;
import javax.net.ssl.TrustManager;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * JGit's HTTP connections with the outbound set-up: the proxy JGit was given (the JVM's default selector) is
 * replaced by {@link OutboundNetwork#proxyFor}, and HTTPS trusts the bundle. Set per transport
 * ({@code TransportHttp.setHttpConnectionFactory}), never as JGit's global default.
 *
 * <p>JGit's connections are {@code HttpURLConnection}s, which ask only the JVM's default {@link Authenticator}
 * for proxy credentials; when the proxy has credentials, {@link #install} makes {@link ProxyCredentials} that
 * default. It answers only the configured proxy's 407, so no other server can obtain them.
 */
public final class GitConnections implements HttpConnectionFactory {
    private final OutboundNetwork network;
    private final JDKHttpConnectionFactory jdk = new JDKHttpConnectionFactory();

    GitConnections(OutboundNetwork network) {
        this.network = network;
    }

    /** Makes the proxy's credentials the JVM's default authenticator when configured (see the class comment). */
    public GitConnections install() {
        network.authenticator().ifPresent(Authenticator::setDefault);
        return this;
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        return create(url, null);
    }

    @Override
    public HttpConnection create(URL url, Proxy ignored) throws IOException {
        Proxy proxy;
        try {
            proxy = network.proxyFor(url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException("not a valid URL for git", e);
        }
        HttpConnection connection = jdk.create(url, proxy);
        if ("https".equalsIgnoreCase(url.getProtocol())) {
            try {
                connection.configure(null, new TrustManager[] {network.trustManager()}, null);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS for git: " + e.getMessage(), e);
            }
        }
        return connection;
    }
}
