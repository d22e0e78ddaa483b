package dev.atlas.core.proxy;

import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.AtlasHeaders;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.policies.Decision;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code proxyForward}: sends the allowed call to the VCS without following redirects, with what the policy checked
 * as Atlas re-wrote it, never the caller's bytes (GraphQL: its own print of the checked document; REST: the checked
 * body and {@code Accept}), and the credentials of {@code proxyCredentials}. Reads the answer whole (up to 32 MiB)
 * for {@code proxyRedact}. Upstream timeout 504, unreachable or too large 502. Refuses to run without an allowing
 * decision of {@code proxyPolicy}.
 */
public final class ProxyForward implements Processor {
    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");
    /** REST request headers Atlas writes itself from the decision instead of forwarding the caller's. */
    private static final Set<String> REWRITTEN = Set.of("accept", "content-type");
    /** Upstream answers are read whole (redaction needs the whole JSON); larger ones are refused, not truncated. */
    static final long MAX_RESPONSE_BYTES = 32L << 20;

    /** The VCS's answer, as received, for {@code proxyRedact}. */
    record Upstream(int status, Map<String, List<String>> headers, byte[] body, URI apiUrl) {
    }

    private final HttpClient http;
    private final Duration timeout;
    private final MicrometerMetrics metrics;

    public ProxyForward(HttpClient http, Duration timeout, MicrometerMetrics metrics) {
        this.http = http;
        this.timeout = timeout;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        Decision decision = ProxyExchange.decision(exchange);
        if (!decision.allowed()) {
            return; // answered 403 by proxyPolicy
        }
        InboundRequest request = RequestCapture.of(exchange);
        VcsProvider provider = ProxyExchange.provider(exchange);
        boolean graphql = ProxyExchange.graphql(exchange);
        @SuppressWarnings("unchecked")
        Map<String, String> auth = AtlasHeaders.required(exchange, ProxyExchange.AUTH, Map.class, "proxyCredentials");
        URI apiUrl = provider.app().apiUrl();
        URI uri = graphql ? ((GraphqlApi) provider).graphqlEndpoint()
            : restUri(apiUrl, ProxyExchange.restPath(exchange), request.rawQuery());
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
        boolean filtered = decision.response().filters();
        request.headers().map().forEach((name, values) -> {
            // REST: Accept and Content-Type are Atlas's own writing of what the policy checked, set below
            if (ForwardedHeaders.forwardRequest(name, filtered)
                && (graphql || !REWRITTEN.contains(name.toLowerCase(Locale.ROOT)))) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        auth.forEach(builder::setHeader);
        byte[] payload = decision.forward().body();
        if (graphql && payload == null) {
            throw new AtlasException(ErrorKind.INTERNAL, "the GraphQL decision carries no document to forward");
        }
        // the checked request as Atlas wrote it: no other parser ever reads the caller's text
        Optional.ofNullable(decision.forward().accept()).ifPresent(v -> builder.setHeader("Accept", v));
        Optional.ofNullable(decision.forward().contentType()).ifPresent(v -> builder.setHeader("Content-Type", v));
        HttpRequest.BodyPublisher body = BODY_METHODS.contains(request.method()) && payload != null && payload.length > 0
            ? HttpRequest.BodyPublishers.ofByteArray(payload) : HttpRequest.BodyPublishers.noBody();
        builder.method(request.method(), body);
        HttpResponse<InputStream> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            metrics.count("proxy_upstream_errors_total", "kind", "timeout");
            throw new AtlasException(ErrorKind.UPSTREAM_TIMEOUT, "the VCS did not answer within " + timeout.toSeconds()
                + "s");
        } catch (IOException e) {
            metrics.count("proxy_upstream_errors_total", "kind", "unreachable");
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS cannot be reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "interrupted");
        }
        exchange.setProperty(ProxyExchange.RESPONSE, new Upstream(response.statusCode(), response.headers().map(),
            read(response), apiUrl));
    }

    private static byte[] read(HttpResponse<InputStream> response) {
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes((int) MAX_RESPONSE_BYTES + 1);
        } catch (HttpTimeoutException e) {
            throw new AtlasException(ErrorKind.UPSTREAM_TIMEOUT, "the VCS answer did not arrive in time");
        } catch (IOException e) {
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS answer broke off");
        }
        if (body.length > MAX_RESPONSE_BYTES) {
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS answer is over "
                + (MAX_RESPONSE_BYTES >> 20) + " MiB");
        }
        return body;
    }

    private static URI restUri(URI apiUrl, String restPath, Optional<String> rawQuery) {
        String base = apiUrl.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + restPath + rawQuery.map(q -> "?" + q).orElse(""));
    }
}
