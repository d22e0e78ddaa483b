package dev.atlas.proxy;

import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code proxyCredentials}: the app's VCS plugin gives the credential headers for the call, for the target it reads
 * from its own API path and the caller's headers ({@code ApiCredentials.target}: GitHub's installation of
 * {@code X-Installation-ID} or of the repository's owner; the host knows no VCS's path shapes); they stay in an
 * exchange property, never a header an admin step could log (502 when the plugin has none).
 */
public final class ProxyCredentials implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyCredentials.class);

    @Override
    public void process(Exchange exchange) {
        if (ProxyExchange.denied(exchange)) {
            return;
        }
        VcsProvider provider = ProxyExchange.provider(exchange);
        if (!(provider instanceof ApiCredentials credentials)) {
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the app's VCS plugin offers no API credentials");
        }
        InboundRequest request = RequestCapture.of(exchange);
        try {
            Map<String, String> auth = credentials.authHeaders(credentials.target(ProxyExchange.restPath(exchange),
                request::header));
            exchange.setProperty(ProxyExchange.AUTH, Map.copyOf(auth));
        } catch (CredentialException e) {
            LOG.warn("no VCS credentials for app {}: {}", provider.app().appId(), e.getMessage());
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "VCS credentials unavailable: " + e.getMessage());
        }
    }
}
