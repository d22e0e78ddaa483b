package dev.atlas.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.outbound.OutboundHttp;
import dev.atlas.core.outbound.OutboundNetwork;
import dev.atlas.policies.Decision;
import dev.atlas.policies.ResponseFilter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.MDC;

/**
 * {@code proxyForward} on its own against a Vert.x upstream on loopback: the VCS receives exactly the checked call
 * (Atlas's body and {@code Accept}, the plugin's credentials, none of the caller's credentials or routing headers),
 * on pooled connections; a silent VCS is 504, an unreachable one or an answer over the limit 502.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyForwardTest {
    /** One request the upstream received. */
    record Seen(String method, String uri, io.vertx.core.MultiMap headers, String body) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final CamelContext camel = new DefaultCamelContext();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Consumer<HttpServerRequest> answer;
    private HttpServer upstream;

    @BeforeAll
    void start() {
        upstream = vertx.createHttpServer().connectionHandler(c -> connections.incrementAndGet())
            .requestHandler(request -> request.body().onSuccess(body -> {
                seen.add(new Seen(request.method().name(), request.uri(), request.headers(), body.toString()));
                answer.accept(request);
            }));
        upstream.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void reset() {
        seen.clear();
        answer = request -> request.response().putHeader("Content-Type", "application/json").putHeader("ETag", "\"1\"")
            .end("{\"number\":7}");
    }

    @AfterAll
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private ProxyForward forward(Duration timeout) {
        return new ProxyForward(new OutboundHttp(OutboundNetwork.direct(), () -> vertx), timeout,
            new MicrometerMetrics());
    }

    private Exchange exchange(int port, String method, Map<String, List<String>> headers, Decision decision) {
        AppSettings app = new AppSettings("acme", "gh-main", "github", URI.create("http://127.0.0.1:" + port),
            URI.create("http://127.0.0.1:" + port + "/api/v3/"), Secret.of("hook"), Optional.empty(), "apps[0]");
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(InboundRequest.PROPERTY, new InboundRequest("r-1", method, "/vcs/rest/repos/acme/api/pulls",
            Optional.of("state=open&per_page=5"), HttpHeaders.of(headers, (n, v) -> true),
            "{\"caller\":\"bytes\"}".getBytes(StandardCharsets.UTF_8), "127.0.0.1"));
        exchange.setProperty(ProxyExchange.PROVIDER, new Provider(app));
        exchange.setProperty(ProxyExchange.GRAPHQL, false);
        exchange.setProperty(ProxyExchange.REST_PATH, "/repos/acme/api/pulls");
        exchange.setProperty(ProxyExchange.DECISION, decision);
        exchange.setProperty(ProxyExchange.AUTH, Map.of("Authorization", "Bearer vcs-installation-token"));
        return exchange;
    }

    private static Decision allowed(ResponseFilter filter, byte[] body) {
        return new Decision(true, 200, null, "allowed", "pulls-create", filter,
            new Decision.Forward(body, "application/vnd.github+json"));
    }

    private static Exchange run(ProxyForward forward, Exchange exchange) throws Exception {
        return forward.processAsync(exchange).get(30, TimeUnit.SECONDS);
    }

    private static Map<String, List<String>> callerHeaders() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Authorization", List.of("Bearer caller-jwt"));
        headers.put("Cookie", List.of("session=1"));
        headers.put("X-App-ID", List.of("gh-main"));
        headers.put("X-Installation-ID", List.of("99"));
        headers.put("X-Forwarded-For", List.of("10.0.0.1"));
        headers.put("Accept", List.of("application/vnd.github.v3.diff"));
        headers.put("Content-Type", List.of("text/plain"));
        headers.put("If-None-Match", List.of("\"0\""));
        headers.put("X-GitHub-Api-Version", List.of("2022-11-28"));
        headers.put("User-Agent", List.of("asgard/1.0"));
        return headers;
    }

    @Test
    void sendsExactlyTheCheckedCallWithTheVcsCredentialsAndNoneOfTheCallers() throws Exception {
        byte[] checked = "{\"title\":\"t\",\"head\":\"b\",\"base\":\"main\"}".getBytes(StandardCharsets.UTF_8);
        Exchange done = run(forward(Duration.ofSeconds(10)), exchange(upstream.actualPort(), "POST", callerHeaders(),
            allowed(ResponseFilter.redacting(List.of("body")), checked)));

        assertThat(done.getException()).isNull();
        assertThat(seen).hasSize(1);
        Seen call = seen.get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.uri()).isEqualTo("/api/v3/repos/acme/api/pulls?state=open&per_page=5");
        assertThat(call.body()).isEqualTo(new String(checked, StandardCharsets.UTF_8));
        assertThat(call.headers().getAll("Authorization")).containsExactly("Bearer vcs-installation-token");
        assertThat(call.headers().getAll("Accept")).containsExactly("application/vnd.github+json");
        assertThat(call.headers().getAll("Content-Type")).containsExactly("application/json");
        assertThat(call.headers().get("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
        assertThat(call.headers().get("User-Agent")).isEqualTo("asgard/1.0");
        assertThat(call.headers().names()).map(String::toLowerCase)
            .doesNotContain("cookie", "x-app-id", "x-installation-id", "x-forwarded-for", "if-none-match");
        ProxyForward.Upstream answer = done.getProperty(ProxyExchange.RESPONSE, ProxyForward.Upstream.class);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get("etag")).containsExactly("\"1\"");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"number\":7}");
    }

    @Test
    void continuesAfterTheVcsAnswerWithTheLinesNamingItsOwnRequestNotOneTheLoopServedMeanwhile() throws Exception {
        ProxyForward forward = forward(Duration.ofSeconds(10));
        // a small answer continues on the event loop, one of LARGE_ANSWER_BYTES on a worker
        for (int size : List.of(12, ProxyForward.LARGE_ANSWER_BYTES)) {
            answer = request -> request.response().end("x".repeat(size));
            Exchange exchange = exchange(upstream.actualPort(), "GET", Map.of(), allowed(ResponseFilter.none(), null));
            CompletableFuture<String> named = new CompletableFuture<>();
            Context loop = vertx.getOrCreateContext();
            loop.runOnContext(v -> {
                MDC.put("requestId", "r-1");
                forward.process(exchange, doneSync -> named.complete(MDC.get("requestId")));
                // the loop goes on to serve another request before the VCS answers
                MDC.put("requestId", "r-served-meanwhile");
            });
            assertThat(named.get(30, TimeUnit.SECONDS)).as("%d bytes", size).isEqualTo("r-1");
            assertThat(exchange.getException()).isNull();
        }
    }

    @Test
    void sendsNoBodyOnAReadAndNamesAtlasWhenTheCallerNamedNoClient() throws Exception {
        Exchange done = run(forward(Duration.ofSeconds(10)), exchange(upstream.actualPort(), "GET",
            Map.of("Authorization", List.of("Bearer caller-jwt")), allowed(ResponseFilter.none(), null)));

        assertThat(done.getException()).isNull();
        assertThat(seen.get(0).method()).isEqualTo("GET");
        assertThat(seen.get(0).body()).isEmpty();
        assertThat(seen.get(0).headers().get("User-Agent")).startsWith("Atlas/");
    }

    @Test
    void forwardsNothingForADeniedCall() throws Exception {
        Decision denied = new Decision(false, 403, Decision.POLICY_DENIED, "no", "default-deny", List.of());
        Exchange done = run(forward(Duration.ofSeconds(10)), exchange(upstream.actualPort(), "GET", Map.of(), denied));

        assertThat(done.getException()).isNull();
        assertThat(done.getProperty(ProxyExchange.RESPONSE)).isNull();
        assertThat(seen).isEmpty();
    }

    @Test
    void reusesItsConnectionsForCallsOneAfterAnother() throws Exception {
        ProxyForward forward = forward(Duration.ofSeconds(10));
        int before = connections.get();
        for (int i = 0; i < 20; i++) {
            assertThat(run(forward, exchange(upstream.actualPort(), "GET", Map.of(), allowed(ResponseFilter.none(),
                null))).getException()).isNull();
        }
        // a connection goes back to the pool just after its answer ended: a call made at that moment may open one
        // more, never one per call
        assertThat(connections.get() - before).isBetween(1, 2);
    }

    @Test
    void answers504WhenTheVcsStaysSilent() throws Exception {
        answer = request -> {
            // never answers
        };
        Exchange done = run(forward(Duration.ofMillis(300)), exchange(upstream.actualPort(), "GET", Map.of(),
            allowed(ResponseFilter.none(), null)));

        assertThat(done.getException()).isInstanceOfSatisfying(AtlasException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UPSTREAM_TIMEOUT));
    }

    @Test
    void answers502WhenTheVcsCannotBeReached() throws Exception {
        HttpServer closed = vertx.createHttpServer().requestHandler(r -> r.response().end());
        int port = closed.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join().actualPort();
        closed.close().toCompletionStage().toCompletableFuture().join();

        Exchange done = run(forward(Duration.ofSeconds(10)), exchange(port, "GET", Map.of(),
            allowed(ResponseFilter.none(), null)));

        assertThat(done.getException()).isInstanceOfSatisfying(AtlasException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UPSTREAM_UNAVAILABLE));
    }

    @Test
    void answers502RatherThanReadAnAnswerOverTheLimit() throws Exception {
        answer = request -> request.response().putHeader("Content-Length", Long.toString(ProxyForward.MAX_RESPONSE_BYTES
            + 1)).write("{");
        Exchange done = run(forward(Duration.ofSeconds(10)), exchange(upstream.actualPort(), "GET", Map.of(),
            allowed(ResponseFilter.none(), null)));

        assertThat(done.getException()).isInstanceOfSatisfying(AtlasException.class,
            e -> assertThat(e).hasMessageContaining("over 32 MiB"));
    }

    @Test
    void readsAChunkedAnswerWhole() throws Exception {
        answer = request -> {
            request.response().setChunked(true);
            for (int i = 0; i < 100; i++) {
                request.response().write("x".repeat(1000));
            }
            request.response().end();
        };
        Exchange done = run(forward(Duration.ofSeconds(10)), exchange(upstream.actualPort(), "GET", Map.of(),
            allowed(ResponseFilter.none(), null)));

        assertThat(done.getProperty(ProxyExchange.RESPONSE, ProxyForward.Upstream.class).body()).hasSize(100_000);
    }

    /** The thread the route goes on on after an answer of {@code size} bytes. */
    private String threadAfterAnswerOf(int size) throws Exception {
        answer = request -> request.response().end("x".repeat(size));
        java.util.concurrent.CompletableFuture<String> thread = new java.util.concurrent.CompletableFuture<>();
        Exchange exchange = exchange(upstream.actualPort(), "GET", Map.of(), allowed(ResponseFilter.none(), null));
        forward(Duration.ofSeconds(10)).process(exchange, doneSync -> thread.complete(Thread.currentThread().getName()));
        return thread.get(30, TimeUnit.SECONDS);
    }

    @Test
    void goesOnOnTheEventLoopAfterASmallAnswerAndOnAWorkerAfterALargeOne() throws Exception {
        assertThat(threadAfterAnswerOf(1000)).startsWith("vert.x-eventloop-thread");
        assertThat(threadAfterAnswerOf(ProxyForward.LARGE_ANSWER_BYTES)).startsWith("vert.x-worker-thread");
    }

    /** A provider with API credentials on the test upstream; like GitHub, callers choose the API version. */
    private record Provider(AppSettings app) implements VcsProvider, ApiCredentials, GraphqlApi {
        @Override
        public Map<String, String> authHeaders(ApiTarget target) {
            return Map.of();
        }

        @Override
        public CloneCredential cloneCredential(ApiTarget target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public URI graphqlEndpoint() {
            return URI.create(app.apiUrl() + "graphql");
        }

        @Override
        public Set<String> apiRequestHeaders() {
            return Set.of("x-github-api-version");
        }
    }
}
