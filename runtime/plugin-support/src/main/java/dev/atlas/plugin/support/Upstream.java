package dev.atlas.plugin.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Small helpers a VCS plugin uses to call its VCS: URL building, bounded responses, JSON, and safe message text.
 * Stateless and thread-safe; only {@link #send} does I/O.
 */
public final class Upstream {
    /** Per-request timeout: a VCS that does not answer in time counts as unreachable. */
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    /** Answers from the VCS here are small JSON documents; anything larger is refused rather than buffered. */
    private static final int MAX_BODY_BYTES = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Upstream() {
    }

    /**
     * A VCS answer: status and body (at most 1 MiB, already read).
     *
     * @param status the HTTP status code
     * @param body the raw body bytes
     */
    public record Reply(int status, byte[] body) {
        /** Whether the status is 2xx. */
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** Server errors and rate limiting are transient: the VCS is treated as unavailable. */
        public boolean transientFailure() {
            return status >= 500 || status == 429;
        }

        /** The body as JSON; a body that is not JSON reads as a missing node. */
        public JsonNode json() {
            try {
                JsonNode node = JSON.readTree(body);
                return node == null ? JSON.missingNode() : node;
            } catch (IOException e) {
                return JSON.missingNode();
            }
        }

        /** The body as UTF-8 text. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Sends {@code request} and reads at most 1 MiB of the answer. Called on the caller's thread, it blocks until the
     * VCS answers or the request's own timeout (set it, usually to {@link #TIMEOUT}) runs out. Any status is a
     * {@link Reply}; deciding what a status means is the caller's business.
     *
     * @throws IOException when the VCS cannot be reached, times out, or answers more than 1 MiB
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    public static Reply send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new IOException("answer from " + request.uri().getHost() + " exceeds " + MAX_BODY_BYTES + " bytes");
            }
            return new Reply(response.statusCode(), body);
        }
    }

    /** {@code base} (any trailing slash dropped) followed by {@code path}, which starts with a slash. No I/O. */
    public static URI join(URI base, String path) {
        String text = base.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text + path);
    }

    /** {@code uri} with the query {@code params} (in iteration order), form-encoded. */
    public static URI withQuery(URI uri, Map<String, String> params) {
        return URI.create(uri + "?" + form(params));
    }

    /** {@code application/x-www-form-urlencoded} text of {@code params}, spaces as {@code %20}. */
    public static String form(Map<String, String> params) {
        StringJoiner joiner = new StringJoiner("&");
        params.forEach((k, v) -> joiner.add(encode(k) + "=" + encode(v)));
        return joiner.toString();
    }

    /** Percent-encodes one path segment or form value. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Text from the VCS (an error code or message) made safe for an exception message: printable ASCII only, at
     * most 200 characters. Callers pass only fields that never carry credentials.
     */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 200; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    /** The node's text when it is a non-blank JSON string; empty for anything else (missing, null, number, blank). */
    public static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }
}
