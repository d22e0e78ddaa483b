package dev.atlas.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The baseline of the load benchmarks: a bare Vert.x HTTP server on the same Vert.x as Atlas. It answers every
 * request with {@code STATUS} (default 202) and a small JSON body; as a fake GitHub it also mints installation
 * tokens ({@code POST .../access_tokens}). Usage: {@code HelloServer PORT [STATUS]}.
 */
public final class HelloServer {
    private HelloServer() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int status = args.length > 1 ? Integer.parseInt(args[1]) : 202;
        Vertx vertx = Vertx.vertx(new VertxOptions());
        vertx.createHttpServer()
            .requestHandler(request -> request.body().onComplete(body -> {
                if (request.path().endsWith("/access_tokens")) {
                    request.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                        .end("{\"token\":\"ghs_bench\",\"expires_at\":\"" + java.time.Instant.now().plusSeconds(3600)
                            + "\"}");
                } else {
                    request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                        .end("{\"id\":1,\"name\":\"api\",\"full_name\":\"acme/api\",\"private\":true}");
                }
            }))
            .listen(port, "127.0.0.1")
            .onSuccess(server -> System.out.println("hello server on " + server.actualPort()))
            .onFailure(e -> {
                e.printStackTrace();
                System.exit(1);
            });
    }
}
