package dev.atlas.proxy;

import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.AtlasVersion;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.AtlasHeaders;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.outbound.OutboundHttp;
import dev.atlas.policies.Decision;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code proxyForward}: sends the allowed call to the VCS without following redirects, with what the policy checked
 * as Atlas re-wrote it, never the caller's bytes (GraphQL: its own print of the checked document; REST: the checked
 * body and {@code Accept}), and the credentials of {@code proxyCredentials}. Reads the answer whole (up to 32 MiB)
 * for {@code proxyRedact}. Upstream timeout 504, unreachable or too large 502. Refuses to run without an allowing
 * decision of {@code proxyPolicy}.
 *
 * <p>Asynchronous on the pooled {@link OutboundHttp} client: no thread waits for the VCS. The steps after it run on
 * the Vert.x event loop that received the answer (as after Camel's own {@code vertx-http} producer), except after an
 * answer over {@value #LARGE_ANSWER_BYTES} bytes, whose filtering would hold the event loop too long: those go on on a
 * worker thread.
 */
public final class ProxyForward extends AsyncProcessorSupport {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyForward.class);
    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");
    /** REST request headers Atlas writes itself from the decision instead of forwarding the caller's. */
    private static final Set<String> REWRITTEN = Set.of("accept", "content-type");
    /** Sent when the caller named no client: GitHub refuses API calls without one. */
    private static final String USER_AGENT = "Atlas/" + AtlasVersion.get();
    /** Upstream answers are read whole (redaction needs the whole JSON); larger ones are refused, not truncated. */
    static final long MAX_RESPONSE_BYTES = 32L << 20;
    /** Answers from this size on are handed on to a worker thread rather than filtered on the event loop. */
    static final int LARGE_ANSWER_BYTES = 256 << 10;

    /** The VCS's answer, as received, for {@code proxyRedact}. */
    record Upstream(int status, Map<String, List<String>> headers, byte[] body, URI apiUrl) {
    }

    private final OutboundHttp http;
    private final Duration timeout;
    private final MicrometerMetrics metrics;

    public ProxyForward(OutboundHttp http, Duration timeout, MicrometerMetrics metrics) {
        this.http = http;
        this.timeout = timeout;
        this.metrics = metrics;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        RequestOptions options;
        Buffer body;
        URI apiUrl;
        String requestId;
        try {
            Decision decision = ProxyExchange.decision(exchange);
            if (!decision.allowed()) {
                callback.done(true); // answered 403 by proxyPolicy
                return true;
            }
            InboundRequest request = RequestCapture.of(exchange);
            requestId = request.requestId();
            VcsProvider provider = ProxyExchange.provider(exchange);
            boolean graphql = ProxyExchange.graphql(exchange);
            apiUrl = provider.app().apiUrl();
            URI uri = graphql ? ((GraphqlApi) provider).graphqlEndpoint()
                : restUri(apiUrl, ProxyExchange.restPath(exchange), request.rawQuery());
            byte[] payload = decision.forward().body();
            if (graphql && payload == null) {
                throw new AtlasException(ErrorKind.INTERNAL, "the GraphQL decision carries no document to forward");
            }
            options = http.request(HttpMethod.valueOf(request.method()), uri, timeout)
                .setHeaders(headers(exchange, request, decision, graphql));
            body = BODY_METHODS.contains(request.method())
                ? payload == null ? Buffer.buffer(0) : Buffer.buffer(Unpooled.wrappedBuffer(payload)) : null;
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        UpstreamAnswer answer = new UpstreamAnswer(MAX_RESPONSE_BYTES);
        try {
            call(exchange, callback, options, body, apiUrl, answer, requestId);
        } catch (RuntimeException e) {
            // Vert.x is closing (its event loops refuse work): nothing was sent
            exchange.setException(new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS cannot be reached"));
            callback.done(true);
            return true;
        }
        return false;
    }

    private void call(Exchange exchange, AsyncCallback callback, RequestOptions options, Buffer body, URI apiUrl,
        UpstreamAnswer answer, String requestId) {
        http.onEventLoop(() -> http.client().request(options)
            .compose(request -> body == null ? request.send() : request.send(body))
            .compose(response -> answer.read(response, apiUrl))
            .onComplete(result -> {
                // the loop served other requests meanwhile: the lines of the rest of this route name this one
                MDC.put("requestId", requestId);
                if (result.succeeded()) {
                    exchange.setProperty(ProxyExchange.RESPONSE, result.result());
                } else {
                    exchange.setException(failure(result.cause(), answer.started()));
                }
                resume(callback, result.succeeded() && result.result().body().length >= LARGE_ANSWER_BYTES,
                    requestId);
            }));
    }

    /** The request headers: the caller's that may cross, then the credentials, then what the policy wrote. */
    private static MultiMap headers(Exchange exchange, InboundRequest request, Decision decision, boolean graphql) {
        @SuppressWarnings("unchecked")
        Map<String, String> auth = AtlasHeaders.required(exchange, ProxyExchange.AUTH, Map.class, "proxyCredentials");
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        boolean filtered = decision.response().filters();
        Set<String> vcsOwn = ProxyExchange.provider(exchange) instanceof ApiCredentials credentials
            ? credentials.apiRequestHeaders() : Set.of();
        request.headers().map().forEach((name, values) -> {
            // REST: Accept and Content-Type are Atlas's own writing of what the policy checked, set below
            if (ForwardedHeaders.forwardRequest(name, filtered, vcsOwn)
                && (graphql || !REWRITTEN.contains(name.toLowerCase(Locale.ROOT)))) {
                headers.add(name, values);
            }
        });
        auth.forEach(headers::set);
        // the checked request as Atlas wrote it: no other parser ever reads the caller's text
        Optional.ofNullable(decision.forward().accept()).ifPresent(v -> headers.set("Accept", v));
        Optional.ofNullable(decision.forward().contentType()).ifPresent(v -> headers.set("Content-Type", v));
        if (!headers.contains("User-Agent")) {
            headers.set("User-Agent", USER_AGENT);
        }
        return headers;
    }

    /** Lets the route go on: here on the event loop, or on a worker for an answer too large to filter here. */
    private static void resume(AsyncCallback callback, boolean large, String requestId) {
        Context context = Vertx.currentContext();
        if (large && context != null && context.isEventLoopContext()) {
            context.executeBlocking(() -> {
                MDC.put("requestId", requestId);
                callback.done(false);
                return null;
            }, false);
        } else {
            callback.done(false);
        }
    }

    private AtlasException failure(Throwable cause, boolean answering) {
        if (cause instanceof AtlasException atlas) {
            return atlas;
        }
        // the class only: a message may quote the upstream path and query
        LOG.debug("VCS call failed {}: {}", answering ? "while answering" : "before an answer",
            cause.getClass().getName());
        if (UpstreamAnswer.timedOut(cause)) {
            metrics.count("proxy_upstream_errors_total", "kind", "timeout");
            return new AtlasException(ErrorKind.UPSTREAM_TIMEOUT, answering ? "the VCS answer did not arrive in time"
                : "the VCS did not answer within " + timeout.toSeconds() + "s");
        }
        metrics.count("proxy_upstream_errors_total", "kind", "unreachable");
        return new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, answering ? "the VCS answer broke off"
            : "the VCS cannot be reached");
    }

    private static URI restUri(URI apiUrl, String restPath, Optional<String> rawQuery) {
        String base = apiUrl.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        // parsed once more on purpose: a path or query that is no valid URI is refused here, never sent on
        return URI.create(base + restPath + rawQuery.map(q -> "?" + q).orElse(""));
    }
}
