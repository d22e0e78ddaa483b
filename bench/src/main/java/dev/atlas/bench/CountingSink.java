package dev.atlas.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cloud's webhook endpoint for the delivery benchmark: a bare Vert.x server that answers every POST 200 and
 * counts the deliveries and their distinct {@code webhook-id}s. {@code GET /count} answers
 * {@code "<deliveries> <distinct ids> <millis of the last new id>"}; {@code POST /reset} starts counting again.
 * Usage: {@code CountingSink PORT}.
 */
public final class CountingSink {
    private CountingSink() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        AtomicLong deliveries = new AtomicLong();
        AtomicLong lastNew = new AtomicLong();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        Vertx vertx = Vertx.vertx(new VertxOptions());
        vertx.createHttpServer()
            .requestHandler(request -> request.body().onComplete(body -> {
                if (request.path().equals("/count")) {
                    request.response().end(deliveries.get() + " " + ids.size() + " " + lastNew.get());
                } else if (request.path().equals("/reset")) {
                    deliveries.set(0);
                    ids.clear();
                    request.response().end("reset");
                } else {
                    deliveries.incrementAndGet();
                    String id = request.getHeader("webhook-id");
                    if (id != null && ids.add(id)) {
                        lastNew.set(System.currentTimeMillis());
                    }
                    request.response().setStatusCode(200).end();
                }
            }))
            .listen(port, "127.0.0.1")
            .onSuccess(server -> System.out.println("counting sink on " + server.actualPort()))
            .onFailure(e -> {
                e.printStackTrace();
                System.exit(1);
            });
    }
}
