package dev.atlas.patcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs JSON and retries on connection errors and 5xx answers, never on 4xx (a client error will not go away).
 * Logs the URL's host and the status only: headers carry bearer tokens and bodies may carry task details.
 */
final class JsonPoster {
    private static final Logger LOG = LoggerFactory.getLogger(JsonPoster.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;
    private final RetryPolicy retry;

    JsonPoster(HttpClient client, RetryPolicy retry) {
        this.client = client;
        this.retry = retry;
    }

    /** The final response (2xx, 4xx, or the last 5xx); throws when the last attempt could not connect. */
    HttpResponse<String> post(URI uri, Map<String, String> headers, String json) throws IOException, InterruptedException {
        return post(uri, headers, json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #post(URI, Map, String)} with the JSON as bytes, sent exactly as given. */
    HttpResponse<String> post(URI uri, Map<String, String> headers, byte[] json) throws IOException, InterruptedException {
        return send("POST", uri, headers, json);
    }

    /** {@link #post(URI, Map, byte[])} with another method (a VCS plugin's pull-request call names its own). */
    HttpResponse<String> send(String method, URI uri, Map<String, String> headers, byte[] json)
        throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(json));
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        for (int attempt = 1; ; attempt++) {
            if (attempt > 1) {
                retry.sleeper().sleep(retry.delayBefore(attempt));
            }
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (response.statusCode() < 500 || attempt >= retry.maxAttempts()) {
                    return response;
                }
                LOG.warn("{} to {} answered {} (attempt {} of {})", method, uri.getHost(), response.statusCode(), attempt,
                    retry.maxAttempts());
            } catch (IOException e) {
                if (attempt >= retry.maxAttempts()) {
                    throw e;
                }
                LOG.warn("{} to {} failed: {} (attempt {} of {})", method, uri.getHost(), e.getClass().getSimpleName(), attempt,
                    retry.maxAttempts());
            }
        }
    }
}
