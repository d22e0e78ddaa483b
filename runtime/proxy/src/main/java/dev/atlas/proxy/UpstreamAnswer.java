package dev.atlas.proxy;

import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientResponse;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;

/**
 * Reads one VCS answer whole for {@link ProxyForward}, refusing (502) rather than truncating one over its limit: a
 * declared {@code Content-Length} over it is refused before a byte is read, a chunked one as soon as it passes it,
 * and the connection is reset so nothing more is read. A body of known length is copied once, into its final array.
 */
final class UpstreamAnswer {
    private final long max;
    private volatile boolean started;

    UpstreamAnswer(long max) {
        this.max = max;
    }

    /** Whether an answer had begun (its status line arrived) when the call failed. */
    boolean started() {
        return started;
    }

    Future<ProxyForward.Upstream> read(HttpClientResponse response, URI apiUrl) {
        started = true;
        Promise<ProxyForward.Upstream> promise = Promise.promise();
        // a 204 or 304 has no body, whatever Content-Length it states
        int status = response.statusCode();
        long declared = status == 204 || status == 304 ? -1 : declaredLength(response.getHeader("Content-Length"));
        response.exceptionHandler(promise::tryFail);
        if (declared > max) {
            response.request().reset();
            return Future.failedFuture(tooLarge());
        }
        byte[] known = declared >= 0 ? new byte[(int) declared] : null;
        ByteArrayOutputStream chunked = known == null ? new ByteArrayOutputStream() : null;
        int[] filled = {0};
        response.handler(chunk -> {
            if (promise.future().isComplete()) {
                return;
            }
            int length = chunk.length();
            if (filled[0] + (long) length > (known != null ? known.length : max)) {
                promise.tryFail(known != null ? new IllegalStateException("more bytes than Content-Length")
                    : tooLarge());
                response.request().reset();
                return;
            }
            if (known != null) {
                chunk.getBytes(known, filled[0]);
            } else {
                chunked.write(chunk.getBytes(), 0, length);
            }
            filled[0] += length;
        });
        response.endHandler(end -> {
            if (known != null && filled[0] != known.length) {
                promise.tryFail(new IllegalStateException("fewer bytes than Content-Length"));
                return;
            }
            promise.tryComplete(new ProxyForward.Upstream(response.statusCode(), headers(response),
                known != null ? known : chunked.toByteArray(), apiUrl));
        });
        return promise.future();
    }

    /** The headers as the JDK client gave them: names case-insensitive, one list of values each. */
    private static Map<String, List<String>> headers(HttpClientResponse response) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> header : response.headers()) {
            headers.computeIfAbsent(header.getKey(), k -> new ArrayList<>(1)).add(header.getValue());
        }
        return headers;
    }

    private static long declaredLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private AtlasException tooLarge() {
        return new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "the VCS answer is over " + (max >> 20) + " MiB");
    }

    /** Whether {@code cause} is the upstream running out of time (connecting, or silent for the timeout). */
    static boolean timedOut(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof io.netty.channel.ConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
