package dev.atlas.core.http;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Optional;

/**
 * An HTTP request as it reached Atlas, captured before anything else runs: the raw (still percent-encoded) path and
 * query, the headers exactly as sent (never mixed with query parameters), and the raw body bytes. Processors read
 * the request from here, never from Camel message headers, which platform-http also fills from query parameters.
 *
 * @param requestId the id of this request in logs and error answers
 */
public record InboundRequest(String requestId, String method, String rawPath, Optional<String> rawQuery,
    HttpHeaders headers, byte[] body, String remoteAddress) {

    /** The exchange property the request is kept in. */
    public static final String PROPERTY = "atlas.request";

    /**
     * The first value of header {@code name} (case-insensitive), as {@code headers.firstValue(name)} gives it, read
     * from the headers' map directly: {@code firstValue} makes a stream per call, on every step of every request.
     */
    public Optional<String> header(String name) {
        List<String> values = headers.map().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** How many values header {@code name} has (duplicated security headers are refused). */
    public int headerCount(String name) {
        List<String> values = headers.map().get(name);
        return values == null ? 0 : values.size();
    }
}
