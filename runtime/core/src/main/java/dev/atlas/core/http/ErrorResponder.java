package dev.atlas.core.http;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Turns the exception of a failed exchange into the JSON answer {@code {"error","message","id", ...}} with the
 * status its {@link ErrorKind} gives ({@code errorResponder}, used by the {@code atlas-errors} route configuration).
 * Unexpected exceptions answer 500 with a generic message; their stack trace is logged under the error id, never
 * sent.
 */
public final class ErrorResponder implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);

    @Override
    public void process(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        AtlasException error = translate(failure);
        String id = requestId(exchange);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.kind().code());
        body.put("message", error.getMessage());
        body.putAll(error.fields());
        body.put("id", id);
        if (exchange.getProperty(InboundRequest.PROPERTY) != null) {
            // the answer may come after an asynchronous step, on a thread that served other requests meanwhile; the
            // exchange's end takes the id out again (RequestCapturePolicy)
            MDC.put("requestId", id);
        }
        if (error.kind() == ErrorKind.INTERNAL) {
            LOG.error("request {} failed on route {}", id, exchange.getFromRouteId(), failure);
        } else {
            LOG.info("request {} answered {} {}: {}", id, error.kind().status(), error.kind().code(), error.getMessage());
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader("X-Request-Id", id);
        error.retryAfterSeconds().ifPresent(s -> message.setHeader("Retry-After", String.valueOf(s)));
        error.challenge().ifPresent(c -> message.setHeader("WWW-Authenticate", c));
        JsonResponses.write(exchange, error.kind().status(), body);
    }

    private static String requestId(Exchange exchange) {
        InboundRequest request = exchange.getProperty(InboundRequest.PROPERTY, InboundRequest.class);
        return request != null ? request.requestId() : UniqueIds.next();
    }

    static AtlasException translate(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AtlasException atlas) {
                return atlas;
            }
        }
        return new AtlasException(ErrorKind.INTERNAL, "internal error", Map.of(), java.util.Optional.empty(), failure);
    }
}
