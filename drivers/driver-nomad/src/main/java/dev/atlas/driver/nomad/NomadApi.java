package dev.atlas.driver.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.api.driver.DriverException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A thin client of Nomad's HTTP API: JSON in and out, {@code X-Nomad-Token} on every call, the namespace and
 * region as query parameters. Transport failures are {@code UNAVAILABLE}; HTTP codes are left to the caller.
 */
final class NomadApi {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final NomadSettings settings;
    private final HttpClient http;
    private final ObjectMapper json;

    NomadApi(NomadSettings settings, HttpClient http, ObjectMapper json) {
        this.settings = settings;
        this.http = http;
        this.json = json;
    }

    /** An answer: the HTTP code and the body (JSON where Nomad sends JSON, plain text for most errors). */
    record Answer(int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    Answer get(String path, Map<String, String> query) throws DriverException {
        return send("GET", path, query, null, CALL_TIMEOUT);
    }

    Answer get(String path, Duration timeout) throws DriverException {
        return send("GET", path, Map.of(), null, timeout);
    }

    Answer put(String path, JsonNode body) throws DriverException {
        return send("PUT", path, Map.of(), body, CALL_TIMEOUT);
    }

    Answer post(String path, JsonNode body) throws DriverException {
        return send("POST", path, Map.of(), body, CALL_TIMEOUT);
    }

    Answer delete(String path, Map<String, String> query) throws DriverException {
        return send("DELETE", path, query, null, CALL_TIMEOUT);
    }

    JsonNode parse(Answer answer) throws DriverException {
        try {
            return json.readTree(answer.body());
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.UNAVAILABLE, "Nomad answered something that is not JSON");
        }
    }

    private Answer send(String method, String path, Map<String, String> extra, JsonNode body, Duration timeout)
        throws DriverException {
        Map<String, String> query = new LinkedHashMap<>(extra);
        query.put("namespace", settings.namespace());
        settings.region().ifPresent(r -> query.put("region", r));
        String base = settings.address().toString().replaceAll("/+$", "");
        URI uri = URI.create(base + path + "?" + query.entrySet().stream()
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&")));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
            .header("X-Nomad-Token", settings.token().reveal())
            .header("Accept", "application/json");
        try {
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            // the path names the job at most; never the body, which may hold secrets
            throw new DriverException(DriverException.Kind.UNAVAILABLE,
                "Nomad cannot be reached at " + settings.address() + " (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DriverException(DriverException.Kind.UNAVAILABLE, "interrupted while calling Nomad", e);
        }
    }

    /** What a failed answer means for the caller. Nomad's error text is kept out: it may quote the request. */
    static DriverException failure(String what, Answer answer) {
        int code = answer.status();
        return switch (code) {
            case 400 -> new DriverException(DriverException.Kind.REJECTED, "Nomad refused the " + what + " (HTTP 400)");
            case 413 -> new DriverException(DriverException.Kind.TOO_LARGE, "Nomad refused the " + what + " as too large");
            case 401, 403 -> new DriverException(DriverException.Kind.UNAVAILABLE,
                "Nomad denied the " + what + " (HTTP " + code + "): check the token's ACL policy");
            default -> new DriverException(DriverException.Kind.UNAVAILABLE,
                "Nomad failed the " + what + " (HTTP " + code + ")");
        };
    }
}
