package dev.atlas.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The floor of a durable acceptance on this machine: a bare Vert.x server (one per event loop, like Atlas) that
 * answers 202 only once the request's body is on disk ({@link GroupCommit}: one gathering write and one
 * {@code fdatasync} for every body waiting), and does nothing else; each answer is written on its own event loop.
 * Usage: {@code DurableHello PORT FILE}.
 */
public final class DurableHello {
    private static final Buffer ANSWER = Buffer.buffer("{\"id\":\"durable\"}");

    private DurableHello() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        GroupCommit commit = GroupCommit.start(Path.of(args[1]));
        Vertx vertx = Vertx.vertx(new VertxOptions());
        int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
        for (int i = 0; i < loops; i++) {
            vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> {
                    Context context = Vertx.currentContext();
                    commit.submit(body.getBytes(),
                        () -> context.runOnContext(v -> request.response().setStatusCode(202)
                            .putHeader("Content-Type", "application/json").end(ANSWER)),
                        failure -> context.runOnContext(v -> request.response().setStatusCode(503).end()));
                }))
                .listen(port, "127.0.0.1")
                .onSuccess(s -> System.out.println("durable hello on " + s.actualPort()))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
        }
    }
}
