package dev.atlas.patcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * Sends the result to the cloud's {@code resultUrl} with the task's result token. The {@code Idempotency-Key} is
 * the task id, so a report that arrived but whose answer was lost can be sent again safely.
 */
final class ResultReporter {
    private final JsonPoster poster;

    ResultReporter(JsonPoster poster) {
        this.poster = poster;
    }

    /** Null when the cloud accepted the result, otherwise why not (never containing the token). */
    String report(URI resultUrl, String resultToken, String taskId, String json) throws InterruptedException {
        try {
            HttpResponse<String> response = poster.post(resultUrl,
                Map.of("Authorization", "Bearer " + resultToken, "Idempotency-Key", taskId), json);
            int status = response.statusCode();
            return status >= 200 && status < 300 ? null : "result endpoint answered HTTP " + status;
        } catch (IOException e) {
            return "result endpoint unreachable: " + e.getClass().getSimpleName();
        }
    }
}
