package dev.atlas.core.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The event loop a request is being handled on, for an asynchronous step to continue the exchange there: the rest
 * of the route, Camel's completion and the answer then run on the thread that owns the connection, and the thread
 * that completed the step (the spool journal's writer) only hands the continuation over.
 */
public final class RequestLoop {
    private RequestLoop() {
    }

    /**
     * The calling thread's event loop as an executor; empty off an event loop: on a test's thread, and on a worker,
     * also one running Camel's blocking route for an event-loop context (the rest of that route may block).
     */
    public static Optional<Executor> current() {
        Context context = Vertx.currentContext();
        if (context == null || !Context.isOnEventLoopThread()) {
            return Optional.empty();
        }
        return Optional.of(command -> context.runOnContext(v -> command.run()));
    }
}
