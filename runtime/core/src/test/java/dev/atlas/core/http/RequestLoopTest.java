package dev.atlas.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestLoopTest {
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void offAnEventLoopThereIsNoneToContinueOn() {
        assertThat(RequestLoop.current()).isEmpty();
    }

    @Test
    void aContinuationHandedOverFromAnotherThreadRunsOnTheLoopThatAskedForIt() throws Exception {
        CompletableFuture<String> loopThread = new CompletableFuture<>();
        CompletableFuture<Optional<Executor>> executor = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(v -> {
            loopThread.complete(Thread.currentThread().getName());
            executor.complete(RequestLoop.current());
        });
        Executor loop = executor.get(10, TimeUnit.SECONDS).orElseThrow();

        // completed on this test's thread, as the spool journal's writer completes an acceptance
        CompletableFuture<String> ranOn = new CompletableFuture<>();
        CompletableFuture.completedFuture("synced")
            .whenCompleteAsync((r, e) -> ranOn.complete(Thread.currentThread().getName()), loop);

        assertThat(ranOn.get(10, TimeUnit.SECONDS)).isEqualTo(loopThread.get()).startsWith("vert.x-eventloop-thread-");
    }

    @Test
    void aWorkerContextIsNotAnEventLoopToContinueOn() throws Exception {
        CompletableFuture<Optional<Executor>> onWorker = new CompletableFuture<>();
        vertx.executeBlocking(() -> {
            onWorker.complete(RequestLoop.current());
            return null;
        });
        assertThat(onWorker.get(10, TimeUnit.SECONDS)).isEmpty();
    }
}
