package dev.atlas.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for Nomad's HTTP API, for the task benchmark's {@code DRIVER=nomad}: the accepted jobs are registered
 * here and run nowhere, so the measured machine runs Atlas's task ingress and not the jobs as well. It answers what
 * the Nomad driver asks on a submit (no job of that id yet, the job's variable stored, the job registered) and its
 * health check (a leader), each as Nomad's API documents it, and the driver's clean-up (no jobs listed, deletes
 * answered); anything else is 404.
 * Usage: {@code NomadStandIn PORT}.
 */
public final class NomadStandIn {
    private NomadStandIn() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        AtomicLong registered = new AtomicLong();
        Vertx vertx = Vertx.vertx();
        vertx.createHttpServer()
            .requestHandler(request -> request.body().onComplete(body -> {
                String path = request.path();
                HttpMethod method = request.method();
                var response = request.response().putHeader("Content-Type", "application/json");
                if (method == HttpMethod.GET && path.equals("/v1/status/leader")) {
                    response.end("\"127.0.0.1:4647\"");
                } else if (method == HttpMethod.POST && path.equals("/v1/jobs")) {
                    long index = registered.incrementAndGet();
                    response.end("{\"EvalID\":\"eval-" + index + "\",\"JobModifyIndex\":" + index + "}");
                } else if (method == HttpMethod.PUT && path.startsWith("/v1/var/")) {
                    response.end("{}");
                } else if (method == HttpMethod.GET && path.equals("/v1/jobs")) {
                    response.end("[]");
                } else if (method == HttpMethod.DELETE) {
                    response.end("{}");
                } else {
                    response.setStatusCode(404).end("job not found");
                }
            }))
            .listen(port, "127.0.0.1")
            .onSuccess(server -> System.out.println("nomad stand-in on " + server.actualPort()))
            .onFailure(e -> {
                e.printStackTrace();
                System.exit(1);
            });
    }
}
