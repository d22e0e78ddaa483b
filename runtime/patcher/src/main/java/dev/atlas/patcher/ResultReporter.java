package dev.atlas.patcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * Posts one result file to Atlas's results endpoint, {@code $ATLAS_JOB_URL/results} (SPEC §6: a job reaches nothing
 * but Atlas, which records the result and forwards it to the cloud's {@code resultUrl}). The result token goes as the
 * bearer token; {@code X-Atlas-Result-Name} names the file and is Atlas's idempotency key per task and file, so a post
 * that arrived but whose answer was lost can be sent again safely.
 */
final class ResultReporter {
    /** The header naming the result file. */
    static final String NAME_HEADER = "X-Atlas-Result-Name";

    private final JsonPoster poster;

    ResultReporter(JsonPoster poster) {
        this.poster = poster;
    }

    /** {@code $ATLAS_JOB_URL/results}. */
    static URI endpoint(URI jobUrl) {
        String base = jobUrl.toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + "results");
    }

    /** Null when Atlas accepted the result (2xx), otherwise why not (never containing the token). */
    String report(URI jobUrl, String resultToken, String name, byte[] json) throws InterruptedException {
        try {
            HttpResponse<String> response = poster.post(endpoint(jobUrl),
                Map.of("Authorization", "Bearer " + resultToken, NAME_HEADER, name), json);
            int status = response.statusCode();
            return status >= 200 && status < 300 ? null : "result endpoint answered HTTP " + status;
        } catch (IOException e) {
            return "result endpoint unreachable: " + e.getClass().getSimpleName();
        } catch (IllegalArgumentException e) {
            return "ATLAS_JOB_URL is not a usable URL";
        }
    }
}
