package dev.atlas.proxy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.core.cloud.CloudAuthenticator;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.tokens.TaskTokens;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code proxyAuthenticate}, first step of the proxy routes: captures the request and verifies its bearer token,
 * the cloud's JWT or a patch job's task-scoped proxy token ({@link TaskProxyAccess}); 401 otherwise.
 */
public final class ProxyAuthenticate implements Processor {
    private final CloudAuthenticator authenticator;
    private final Optional<TaskTokens> taskTokens;

    /**
     * @param taskTokens verifies the task-scoped proxy tokens of patch jobs; without it only the cloud's tokens are
     *     accepted
     */
    public ProxyAuthenticate(CloudAuthenticator authenticator, Optional<TaskTokens> taskTokens) {
        this.authenticator = authenticator;
        this.taskTokens = taskTokens;
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        Optional<TaskTokens.ProxyGrant> grant = TaskProxyAccess.grant(request, taskTokens);
        String caller = grant.isPresent() ? "task:" + grant.get().taskId()
            : subject(authenticator.authenticate(request.header("Authorization")));
        grant.ifPresent(g -> exchange.setProperty(ProxyExchange.GRANT, g));
        exchange.setProperty(ProxyExchange.CALLER, caller);
    }

    private static String subject(JWTClaimsSet caller) {
        return caller.getSubject() == null ? "-" : caller.getSubject();
    }
}
