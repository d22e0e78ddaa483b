package dev.atlas.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventLoopServersTest {
    private static final int LOOPS = 2;

    private Vertx vertx;
    private HttpClient client;
    private int port;
    /** Answers with the name of the thread that handled the request: the event loop of its connection. */
    private final Handler<HttpServerRequest> threadName = request -> request.response()
        .end(Thread.currentThread().getName());

    @BeforeEach
    void startTheFirstServerAsCamelDoes() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(LOOPS));
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // Camel's platform-http server: created and started outside any Vert.x context, so bound to one loop
        HttpServer first = vertx.createHttpServer().requestHandler(threadName);
        await(first.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture());
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    }

    @AfterEach
    void close() throws Exception {
        await(vertx.close().toCompletionStage().toCompletableFuture());
    }

    @Test
    void withoutThemEveryConnectionIsServedByTheOneLoopOfTheFirstServer() throws Exception {
        assertThat(loopsServing(8)).hasSize(1);
    }

    @Test
    void connectionsAreDealtOutToEveryEventLoop() throws Exception {
        EventLoopServers.start(vertx, LOOPS, "127.0.0.1", port, threadName, Optional.empty());

        assertThat(loopsServing(8)).hasSize(LOOPS).allMatch(name -> name.startsWith("vert.x-eventloop-thread-"));
    }

    @Test
    void closingThemLeavesTheFirstServerServing() throws Exception {
        EventLoopServers servers = EventLoopServers.start(vertx, LOOPS, "127.0.0.1", port, threadName,
            Optional.empty());
        servers.close();

        assertThat(loopsServing(8)).hasSize(1);
    }

    @Test
    void theirConnectionsCarryNoWebSocketExtensionHandlerSinceAtlasServesNoWebSocket() throws Exception {
        Handler<HttpServerRequest> pipeline = request -> request.response().end("pipeline:" + String.join(",",
            ((io.vertx.core.net.impl.ConnectionBase) request.connection()).channelHandlerContext().pipeline().toMap()
                .values().stream().map(handler -> handler.getClass().getSimpleName()).toList()));
        EventLoopServers.start(vertx, LOOPS, "127.0.0.1", port, pipeline, Optional.empty());

        Set<String> ours = new HashSet<>();
        for (String answer : loopsServing(12)) {
            if (answer.startsWith("pipeline:")) {
                ours.add(answer);
            }
        }
        assertThat(ours).isNotEmpty().allSatisfy(answer -> assertThat(answer)
            .contains("VertxHandler").doesNotContain("WebSocket"));
    }

    @Test
    void refusesPortZeroWhichWouldGiveEachServerAPortOfItsOwn() {
        assertThatThrownBy(() -> EventLoopServers.start(vertx, LOOPS, "127.0.0.1", 0, threadName, Optional.empty()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fixed port");
    }

    /** The names of the threads that served {@code connections} requests, each on a new connection. */
    private Set<String> loopsServing(int connections) throws Exception {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < connections; i++) {
            names.add(await(client.request(HttpMethod.GET, port, "127.0.0.1", "/")
                .compose(request -> request.send()).compose(response -> response.body())
                .toCompletionStage().toCompletableFuture()).toString());
        }
        return names;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }
}
