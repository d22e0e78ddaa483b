package dev.atlas.proxy;

import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code proxyCredentials}: the app's VCS plugin gives the credential headers for the call (the installation of
 * {@code X-Installation-ID} or of the repository in {@code /repos/{owner}/{repo}/...}); they stay in an exchange
 * property, never a header an admin step could log (502 when the plugin has none).
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
        try {
            Map<String, String> auth = credentials.authHeaders(target(RequestCapture.of(exchange),
                ProxyExchange.restPath(exchange)));
            exchange.setProperty(ProxyExchange.AUTH, Map.copyOf(auth));
        } catch (CredentialException e) {
            LOG.warn("no VCS credentials for app {}: {}", provider.app().appId(), e.getMessage());
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "VCS credentials unavailable: " + e.getMessage());
        }
    }

    /** Owner and repository from {@code /repos/{owner}/{repo}/...}, for installation look-up. */
    static ApiTarget target(InboundRequest request, String restPath) {
        Optional<String> installation = request.header("X-Installation-ID").map(String::trim).filter(s -> !s.isEmpty());
        List<String> segments = List.of(restPath.split("/"));
        if (segments.size() >= 4 && segments.get(1).equals("repos")) {
            return new ApiTarget(installation, Optional.of(segments.get(2)), Optional.of(segments.get(3)));
        }
        return new ApiTarget(installation, Optional.empty(), Optional.empty());
    }
}
