package dev.atlas.patcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Opens the pull (merge) request through Atlas's VCS proxy, so the call passes the same allow-list as every other
 * VCS call and the job never holds a VCS credential: it sends the task-scoped proxy token instead.
 *
 * <p>The call is {@code task.json}'s {@code pullRequestCall}, which the app's VCS plugin built when Atlas built the
 * job ({@link PullRequestCall}): its method, to {@code {proxyUrl}/vcs/rest{path}}, its body and headers, plus
 * {@code Authorization: Bearer <proxy token>} and {@code X-App-ID}. The pull request's URL and number are read at
 * the call's JSON pointers. The patcher knows no VCS.
 */
final class PullRequestOpener {
    /** The opened request, or why it could not be opened. */
    record Outcome(String url, Long number, String error) {
        static Outcome failed(String error) {
            return new Outcome(null, null, error);
        }
    }

    private final JsonPoster poster;
    private final ObjectMapper mapper;

    PullRequestOpener(JsonPoster poster, ObjectMapper mapper) {
        this.poster = poster;
        this.mapper = mapper;
    }

    Outcome open(PatchTask task, String proxyToken) throws InterruptedException {
        PullRequestCall call = task.pullRequestCall();
        if (call == null) {
            return Outcome.failed("task.json has no pullRequestCall for the pull request");
        }
        String base = task.proxyUrl().toString().replaceAll("/+$", "") + "/vcs/rest";
        Map<String, String> headers = new LinkedHashMap<>(call.headers());
        headers.put("Authorization", "Bearer " + proxyToken);
        headers.put("X-App-ID", task.appId());
        HttpResponse<String> response;
        try {
            response = poster.send(call.method(), URI.create(base + call.path()), headers,
                call.body().toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Outcome.failed("VCS proxy unreachable: " + e.getClass().getSimpleName());
        }
        return outcome(call, task.commit().branch(), response);
    }

    private Outcome outcome(PullRequestCall call, String branch, HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode json = parse(response.body());
        if (status >= 200 && status < 300) {
            return new Outcome(text(json.at(call.urlPointer())), number(json.at(call.numberPointer())), null);
        }
        String reason = response.body() == null ? "" : response.body();
        if ((status == 409 || status == 422 || status == 400) && reason.toLowerCase(Locale.ROOT).contains("already exist")) {
            return Outcome.failed("a pull request for branch " + branch + " already exists");
        }
        String message = firstText(json, "message", "error", "reason");
        return Outcome.failed("VCS proxy answered HTTP " + status + (message == null ? "" : ": " + message));
    }

    private JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? mapper.createObjectNode() : mapper.readTree(body);
        } catch (IOException e) {
            return mapper.createObjectNode();
        }
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    private static Long number(JsonNode node) {
        return node.canConvertToLong() ? node.asLong() : null;
    }

    private static String firstText(JsonNode json, String... names) {
        for (String name : names) {
            if (json.path(name).isTextual()) {
                String value = json.path(name).asText().replaceAll("[\\r\\n]+", " ");
                return value.length() > 200 ? value.substring(0, 200) + "…" : value;
            }
        }
        return null;
    }
}
