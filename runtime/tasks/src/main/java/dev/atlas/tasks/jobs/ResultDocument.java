package dev.atlas.tasks.jobs;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import java.io.IOException;
import java.util.Locale;

/**
 * The checks on a result's body and type: {@code Content-Type: application/json} (parameters allowed) and one JSON
 * document, parsed strictly (a key twice in one object is refused, as the task API refuses it, so that Atlas and the
 * cloud cannot read two different results out of one body; nothing may follow the document). The body is forwarded
 * as it came; the parse only decides.
 */
final class ResultDocument {
    private static final ObjectMapper STRICT = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    /** Why a result was refused, as the {@code outcome} tag of {@code atlas_jobs_results_total}. */
    static final class Refused extends AtlasException {
        private final String outcome;

        Refused(ErrorKind kind, String outcome, String message) {
            super(kind, message);
            this.outcome = outcome;
        }

        String outcome() {
            return outcome;
        }
    }

    private ResultDocument() {
    }

    /** Refuses (415) any {@code Content-Type} but {@code application/json}, with or without parameters. */
    static void checkType(java.util.Optional<String> contentType) {
        String type = contentType.map(t -> t.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).orElse("");
        if (!type.equals("application/json")) {
            throw new Refused(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                "a result is JSON: Content-Type must be application/json");
        }
    }

    /** Refuses a body that is not one JSON document (415) or repeats a key in an object (400). */
    static void checkJson(byte[] body) {
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (JsonParseException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Duplicate field")) {
                throw new Refused(ErrorKind.INVALID_REQUEST, "duplicate_key", "the result has a key twice in one object");
            }
            throw notJson();
        } catch (IOException e) {
            throw notJson();
        }
        if (root == null || root.isMissingNode()) {
            throw notJson();
        }
    }

    private static Refused notJson() {
        return new Refused(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "not_json", "the result is not valid JSON");
    }
}
