package dev.atlas.core.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpSupport;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * A platform-http consumer that runs its route on the Vert.x event loop that read the request, as an asynchronous
 * Camel exchange: no worker thread is handed the request and none waits while an asynchronous step (the spool's group
 * commit, an outbound call) is under way; the answer is written on the same event loop when the route completes,
 * whichever thread completed it. Camel's own consumer runs every route with {@code executeBlocking} and parks the
 * worker until the exchange ends: right for steps that may block, two thread hand-offs and a parked thread too many
 * for a route whose steps never do. Only the routes of {@link EventLoopRoutes} get this consumer.
 *
 * <p>A request whose body is larger than {@value #LARGE_BODY_BYTES} bytes runs its route on a Vert.x worker instead:
 * verifying its signature, hashing it for the replay window and copying it into the spool's record take ~0.4 ms of CPU
 * per 256 KiB (25 MB, GitHub's largest webhook, ~40 ms on a 2-core test machine), and on the event loop every other
 * connection of that loop would wait for it. Its answer is still written on the event loop.
 *
 * <p>A {@code byte[]} answer is handed to Camel as a {@code ByteBuffer} over the same bytes: Camel 4.17 would convert
 * a {@code byte[]} to an {@code InputStream} and pump that through a worker thread with a new read buffer per answer,
 * and would send a Vert.x {@code Buffer} chunked; a {@code ByteBuffer} it writes at once with a {@code Content-Length}
 * (copying the bytes into one buffer: an answer of this route is small).
 *
 * <p>Reading the request (body, headers, Camel's message) and writing the answer are Camel's own code: the request
 * through {@code processHttpRequest}, the answer through {@code VertxPlatformHttpSupport.writeResponse} (package
 * private in Camel 4.17, reached once through a method handle; start fails loudly if a Camel upgrade moves it).
 */
final class EventLoopHttpConsumer extends VertxPlatformHttpConsumer {
    private static final MethodHandle WRITE_RESPONSE = writeResponse();
    /** Bodies above this run their route on a worker (~0.4 ms of hashing and copying on a slow core). */
    static final int LARGE_BODY_BYTES = 256 * 1024;

    EventLoopHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor, List<Handler<RoutingContext>> handlers,
        String routerName) {
        super(endpoint, processor, handlers, routerName);
    }

    private static MethodHandle writeResponse() {
        try {
            return MethodHandles.privateLookupIn(VertxPlatformHttpSupport.class, MethodHandles.lookup())
                .findStatic(VertxPlatformHttpSupport.class, "writeResponse", MethodType.methodType(Future.class,
                    RoutingContext.class, Exchange.class, HeaderFilterStrategy.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this Camel's platform-http has no writeResponse to reuse", e);
        }
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        if (isSuspended()) {
            ctx.response().setStatusCode(503);
            ctx.end();
            return;
        }
        Context loop = Vertx.currentContext();
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        processHttpRequest(exchange, ctx).onComplete(read -> {
            if (read.failed()) {
                fail(exchange, ctx, read.cause());
                return;
            }
            try {
                createUoW(exchange);
            } catch (Exception e) {
                fail(exchange, ctx, e);
                return;
            }
            org.apache.camel.AsyncCallback answer = doneSync -> {
                if (loop == null || Context.isOnEventLoopThread() && Vertx.currentContext() == loop) {
                    respond(exchange, ctx);
                } else {
                    loop.runOnContext(v -> respond(exchange, ctx));
                }
            };
            if (loop != null && ctx.body().length() > LARGE_BODY_BYTES) {
                loop.executeBlocking(() -> getAsyncProcessor().process(exchange, answer), false)
                    .onFailure(failure -> fail(exchange, ctx, failure));
            } else {
                getAsyncProcessor().process(exchange, answer);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private void respond(Exchange exchange, RoutingContext ctx) {
        // Camel writes a byte[] answer through an InputStream pumped on a worker, with a fresh buffer per answer; a
        // ByteBuffer over the same bytes is written at once, with its Content-Length (a Buffer would be sent chunked)
        if (exchange.getMessage().getBody() instanceof byte[] bytes) {
            exchange.getMessage().setBody(ByteBuffer.wrap(bytes));
        }
        Future<Void> written;
        try {
            written = (Future<Void>) WRITE_RESPONSE.invokeExact(ctx, exchange,
                getEndpoint().getHeaderFilterStrategy(), getEndpoint().isMuteException());
        } catch (Throwable t) {
            fail(exchange, ctx, t);
            return;
        }
        written.onComplete(result -> {
            if (result.succeeded()) {
                complete(exchange);
            } else {
                fail(exchange, ctx, result.cause());
            }
        });
    }

    private void fail(Exchange exchange, RoutingContext ctx, Throwable failure) {
        getExceptionHandler().handleException("Failed handling platform-http endpoint " + getEndpoint().getPath(),
            failure);
        ctx.fail(failure);
        if (getEndpoint().isHandleWriteResponseError() && failure != null && exchange.getException() == null) {
            exchange.setException(failure instanceof Exception e ? e : new IllegalStateException(failure));
        }
        complete(exchange);
    }

    private void complete(Exchange exchange) {
        doneUoW(exchange);
        releaseExchange(exchange, false);
    }
}
