package dev.atlas.proxy;

import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.AtlasHeaders;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.http.RoutePath;
import dev.atlas.core.tokens.TaskTokens;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * {@code proxyApp}: {@code X-App-ID} picks the app (400 missing or repeated, 404 unknown). A route that matches on
 * its prefix ({@code matchOnUriPrefix}) is REST, whose VCS API path is the raw path below the route's own prefix;
 * any other proxy route is GraphQL, which an app whose plugin has no GraphQL API ({@link GraphqlApi}) answers 404
 * {@code not_found} without its policy or its VCS being asked. A job's proxy token may only make its own
 * pull-request call (403). Sets
 * {@code AtlasAppId}, {@code AtlasVcs} and, for REST, {@code AtlasApiMethod} and {@code AtlasApiPath}.
 */
public final class ProxyApp implements Processor {
    /** The answer (404) and {@code atlas policy test} verdict for GraphQL on an app whose VCS has none. */
    public static final String NO_GRAPHQL = GraphqlApi.NOT_OFFERED;

    private final Map<String, VcsProvider> providers;

    public ProxyApp(Map<String, VcsProvider> providers) {
        this.providers = providers;
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        ProxyExchange.caller(exchange); // proxyAuthenticate ran
        if (request.headerCount("X-App-ID") > 1) {
            throw AtlasException.badRequest("X-App-ID must be sent once");
        }
        String appId = request.header("X-App-ID").map(String::trim).filter(s -> !s.isEmpty())
            .orElseThrow(() -> AtlasException.badRequest("the X-App-ID header is required"));
        VcsProvider provider = providers.get(appId);
        if (provider == null) {
            throw AtlasException.notFound("no app with that X-App-ID");
        }
        boolean graphql = !RoutePath.prefixRoute(exchange);
        // anything under the REST prefix, however odd, goes to the REST policy as it is (e.g. /vcs/resthttps://evil:
        // the policy refuses a path that does not start with '/')
        String restPath = graphql ? "" : RoutePath.below(exchange, request.rawPath());
        TaskTokens.ProxyGrant grant = exchange.getProperty(ProxyExchange.GRANT, TaskTokens.ProxyGrant.class);
        if (grant != null) {
            // a job's token: only its own repository's pull-request call, and still through the policy
            TaskProxyAccess.check(grant, appId, provider.app().vcs(), request, graphql, restPath);
        }
        if (graphql && !(provider instanceof GraphqlApi)) {
            throw AtlasException.notFound(NO_GRAPHQL);
        }
        exchange.setProperty(ProxyExchange.PROVIDER, provider);
        exchange.setProperty(ProxyExchange.GRAPHQL, graphql);
        exchange.setProperty(ProxyExchange.REST_PATH, restPath);
        Message message = exchange.getMessage();
        message.setHeader(AtlasHeaders.APP_ID, appId);
        message.setHeader(AtlasHeaders.VCS, provider.app().vcs());
        if (!graphql) {
            message.setHeader(AtlasHeaders.API_METHOD, request.method());
            message.setHeader(AtlasHeaders.API_PATH, restPath);
        }
    }
}
