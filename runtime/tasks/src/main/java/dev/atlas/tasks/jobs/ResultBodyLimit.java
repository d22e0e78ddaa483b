package dev.atlas.tasks.jobs;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a result whose {@code Content-Length} is over {@code tasks.results.maxBytes} with 413 before its body is
 * read: a Vert.x handler on the server's top router, ahead of the body handler (which only knows the server-wide
 * {@code server.maxBodyBytes}). A body without a length is still counted by {@link ResultReceiver}.
 */
final class ResultBodyLimit implements Handler<RoutingContext>, ExtendedStartupListener {
    private static final Logger LOG = LoggerFactory.getLogger(ResultBodyLimit.class);
    /** The results path: {@code /jobs/{taskId}/results}. */
    static final String PATH = "^/jobs/[^/]+/results$";
    /** After the stop check (-2000), before the body handler. */
    private static final int ORDER = -900;

    private final long maxBytes;
    private final BiConsumer<String, Long> refused;

    /** @param refused told the task id (as the path has it) and declared size of each refused result */
    ResultBodyLimit(long maxBytes, BiConsumer<String, Long> refused) {
        this.maxBytes = maxBytes;
        this.refused = refused;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String declared = ctx.request().getHeader("Content-Length");
        long length;
        try {
            length = declared == null ? -1 : Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length <= maxBytes) {
            ctx.next();
            return;
        }
        String[] segments = ctx.request().path().split("/", -1);
        String task = segments.length == 4 && segments[2].matches("[A-Za-z0-9._-]{1,128}") ? segments[2] : "?";
        refused.accept(task, length);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "payload_too_large");
        body.put("message", "a result is at most " + maxBytes + " bytes");
        body.put("id", UUID.randomUUID().toString());
        // the body is not read: closing the connection after the answer keeps the client from sending it
        ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
            .end(new JsonObject(body).encode());
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    /** Installs the handler once the HTTP server runs. */
    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = context.getRegistry().findSingleByType(VertxPlatformHttpRouter.class);
        if (router != null && router.getServer().getServer().requestHandler() instanceof Router top) {
            top.routeWithRegex(PATH).order(ORDER).handler(this);
        } else {
            LOG.warn("cannot refuse large results before reading them: unexpected HTTP server set-up");
        }
    }
}
