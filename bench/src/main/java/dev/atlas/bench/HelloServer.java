package dev.atlas.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The baseline of the webhook load benchmark: a bare Vert.x HTTP server that answers every request with 202 and a
 * small JSON body, on the same Vert.x as Atlas. Usage: {@code HelloServer PORT}.
 */
public final class HelloServer {
    private HelloServer() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx(new VertxOptions());
        vertx.createHttpServer()
            .requestHandler(request -> request.body().onComplete(body -> request.response().setStatusCode(202)
                .putHeader("Content-Type", "application/json").end("{\"id\":\"hello\"}")))
            .listen(port, "127.0.0.1")
            .onSuccess(server -> System.out.println("hello server on " + server.actualPort()))
            .onFailure(e -> {
                e.printStackTrace();
                System.exit(1);
            });
    }
}
