package dev.atlas.core.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atlas.api.Secret;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.testkit.net.ConnectProxy;
import dev.atlas.testkit.net.HttpsFake;
import dev.atlas.testkit.net.TestPki;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Vert.x client of the hot paths, set up from {@code outbound} (SPEC §10), against an HTTPS fake signed by a
 * test CA and a CONNECT proxy that records its tunnels: the same trust, proxy, {@code noProxy} and credential rules
 * as the JDK client ({@link OutboundNetworkTest}), plus connection reuse and the timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboundHttpTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final TestPki pki = TestPki.create("Acme Test Root");
    private final Vertx vertx = Vertx.vertx();
    private HttpsFake vcs;

    @BeforeAll
    void start() {
        vcs = HttpsFake.start(pki.issue("vcs", "ghes.acme.test", "localhost", "127.0.0.1"))
            .answer("/api/v3/meta", "{\"ok\":true}");
    }

    @AfterAll
    void stop() {
        vcs.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private OutboundHttp client(String bundle, AtlasConfig.Proxy proxy) {
        return new OutboundHttp(OutboundNetwork.of(new AtlasConfig.Outbound(Optional.ofNullable(bundle),
            Optional.ofNullable(proxy))), () -> vertx);
    }

    private static AtlasConfig.Proxy proxy(ConnectProxy proxy, List<String> noProxy, String user, String password) {
        return new AtlasConfig.Proxy(URI.create(proxy.url()), noProxy, Optional.ofNullable(user),
            Optional.ofNullable(password).map(Secret::of));
    }

    /** GET {@code url}: its status and body, or the failure's cause. */
    private static String get(OutboundHttp http, String url, Duration timeout) throws Exception {
        try {
            return http.client().request(http.request(HttpMethod.GET, URI.create(url), timeout))
                .compose(request -> request.send())
                .compose(response -> response.body().map(body -> response.statusCode() + " " + body))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Test
    void trustsAServerSignedByTheBundleAndRefusesItWithoutTheBundle() throws Exception {
        String url = "https://127.0.0.1:" + vcs.port() + "/api/v3/meta";
        OutboundHttp without = client(null, null);
        assertThatThrownBy(() -> get(without, url, TIMEOUT)).isInstanceOf(SSLHandshakeException.class);
        assertThat(get(client(pki.caPem(), null), url, TIMEOUT)).isEqualTo("200 {\"ok\":true}");
    }

    @Test
    void refusesACertificateForAnotherHost() {
        try (HttpsFake other = HttpsFake.start(pki.issue("other", "other.acme.test")).answer("/x", "{}")) {
            assertThatThrownBy(() -> get(client(pki.caPem(), null), "https://127.0.0.1:" + other.port() + "/x",
                TIMEOUT)).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void sendsCallsThroughTheProxyAndNoProxyHostsAround() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.open()) {
            OutboundHttp http = client(pki.caPem(), proxy(proxy, List.of(".internal.example", "127.0.0.0/8"), null,
                null));
            // ghes.acme.test resolves only inside the proxy: a 200 proves the call went through it
            assertThat(get(http, "https://ghes.acme.test:" + vcs.port() + "/api/v3/meta", TIMEOUT)).startsWith("200");
            assertThat(get(http, "https://127.0.0.1:" + vcs.port() + "/api/v3/meta", TIMEOUT)).startsWith("200");
            assertThat(proxy.tunnels()).containsExactly("ghes.acme.test:" + vcs.port());
        }
    }

    @Test
    void reusesItsTunnelsThroughTheProxyForCallsOneAfterAnother() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.open()) {
            OutboundHttp http = client(pki.caPem(), proxy(proxy, List.of(), null, null));
            for (int i = 0; i < 10; i++) {
                assertThat(get(http, "https://ghes.acme.test:" + vcs.port() + "/api/v3/meta", TIMEOUT))
                    .startsWith("200");
            }
            // a connection goes back to the pool just after its answer ended: a call made at that moment may open one
            // more, never one per call
            assertThat(proxy.tunnels()).hasSizeBetween(1, 2);
        }
    }

    @Test
    void givesTheProxyItsCredentialsAndNothingWithoutThem() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.withCredentials("atlas", "s3cret")) {
            String url = "https://ghes.acme.test:" + vcs.port() + "/api/v3/meta";
            assertThat(get(client(pki.caPem(), proxy(proxy, List.of(), "atlas", "s3cret")), url, TIMEOUT))
                .startsWith("200");
            assertThat(proxy.tunnels()).hasSize(1);

            assertThatThrownBy(() -> get(client(pki.caPem(), proxy(proxy, List.of(), null, null)), url, TIMEOUT))
                .hasMessageContaining("407");
            assertThatThrownBy(() -> get(client(pki.caPem(), proxy(proxy, List.of(), "atlas", "guess")), url,
                TIMEOUT)).hasMessageContaining("407");
            assertThat(proxy.tunnels()).hasSize(1);
            assertThat(proxy.refused()).hasSize(2);
        }
    }

    @Test
    void neverShowsTheProxyPassword() {
        try (ConnectProxy proxy = ConnectProxy.open()) {
            assertThat(client(null, proxy(proxy, List.of(), "atlas", "s3cret")).toString()).doesNotContain("s3cret");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void endsACallWhoseUpstreamStaysSilentWithATimeout() throws Exception {
        HttpServer silent = vertx.createHttpServer().requestHandler(request -> {
            // never answers
        });
        int port = silent.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join().actualPort();
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> get(client(null, null), "http://127.0.0.1:" + port + "/", Duration.ofMillis(300)))
                .isInstanceOf(TimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            silent.close();
        }
    }

    @Test
    void runsTheCallsOfManyThreadsOnOneEventLoopAndOpensNoMoreConnectionsThanCallsAtOnce() throws Exception {
        Set<String> connections = ConcurrentHashMap.newKeySet();
        HttpServer cloud = vertx.createHttpServer().requestHandler(request -> {
            connections.add(request.remoteAddress().toString());
            request.response().setStatusCode(200).end("ok");
        });
        int port = cloud.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join().actualPort();
        OutboundHttp http = client(null, null);
        Executor loop = http.oneEventLoop();
        Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
        Set<Boolean> onEventLoop = ConcurrentHashMap.newKeySet();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> calls = new ArrayList<>();
            for (int caller = 0; caller < 8; caller++) {
                calls.add(callers.submit(() -> {
                    int ok = 0;
                    for (int call = 0; call < 5; call++) { // one after another: each may reuse the last connection
                        CompletableFuture<Integer> status = new CompletableFuture<>();
                        loop.execute(() -> {
                            ranOn.add(Thread.currentThread());
                            onEventLoop.add(Context.isOnEventLoopThread());
                            http.client().request(http.request(HttpMethod.GET, URI.create("http://127.0.0.1:" + port
                                    + "/services/webhooks/github/"), TIMEOUT))
                                .compose(request -> request.send())
                                .compose(response -> response.body().map(body -> response.statusCode()))
                                .onComplete(result -> status.complete(result.succeeded() ? result.result() : -1));
                        });
                        ok += status.get(30, TimeUnit.SECONDS) == 200 ? 1 : 0;
                    }
                    return ok;
                }));
            }
            int answered = 0;
            for (Future<Integer> call : calls) {
                answered += call.get(60, TimeUnit.SECONDS);
            }

            assertThat(answered).isEqualTo(40);
            assertThat(ranOn).as("threads the calls ran on").hasSize(1);
            assertThat(onEventLoop).containsExactly(true);
            assertThat(connections).as("connections the calls opened").hasSizeLessThanOrEqualTo(8);
        } finally {
            callers.shutdownNow();
            cloud.close();
        }
    }

    @Test
    void refusesAnythingButAnAbsoluteHttpUrl() {
        OutboundHttp http = client(null, null);
        assertThatThrownBy(() -> http.request(HttpMethod.GET, URI.create("ftp://host/x"), TIMEOUT))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> http.request(HttpMethod.GET, URI.create("/relative"), TIMEOUT))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
