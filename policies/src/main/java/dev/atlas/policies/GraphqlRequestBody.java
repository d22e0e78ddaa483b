package dev.atlas.policies;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/**
 * The JSON body of a {@code POST /vcs/graphql}, read strictly: exactly one object with {@code query} (a string),
 * optional {@code operationName} (string or null) and {@code variables} (object or null), nothing else. Anything
 * an upstream server might read differently from us is refused: a repeated key, a second JSON value, a batch array,
 * {@code extensions} (persisted queries would run a document we never saw).
 */
record GraphqlRequestBody(String query, String operationName) {

    private static final Set<String> KEYS = Set.of("query", "operationName", "variables");

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    /** Reads the body, or throws a {@link Denial}: 400 for what is not one GraphQL request, 403 over a byte limit. */
    static GraphqlRequestBody read(String body, GraphqlLimits limits) {
        if (utf8Length(body, limits.maxBodyBytes()) > limits.maxBodyBytes()) {
            throw Denial.deny("maxBodyBytes", "request body is larger than " + limits.maxBodyBytes() + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonParseException e) {
            String message = e.getOriginalMessage();
            throw Denial.invalid(message != null && message.startsWith("Duplicate field")
                ? "request body repeats a JSON key" : "request body is not valid JSON");
        } catch (JsonProcessingException e) {
            throw Denial.invalid("request body is not valid JSON");
        }
        if (root == null || root.isMissingNode()) {
            throw Denial.invalid("request body is empty");
        }
        if (root.isArray()) {
            throw Denial.invalid("batched GraphQL requests (a JSON array) are not allowed");
        }
        if (!root.isObject()) {
            throw Denial.invalid("request body must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw Denial.invalid("request body key '" + Texts.clip(key, 40)
                    + "' is not allowed (only query, operationName, variables)");
            }
        }
        JsonNode query = root.get("query");
        if (query == null || query.isNull()) {
            throw Denial.invalid("request body has no query");
        }
        if (!query.isTextual()) {
            throw Denial.invalid("query must be a string");
        }
        JsonNode operationName = root.get("operationName");
        if (operationName != null && !operationName.isNull() && !operationName.isTextual()) {
            throw Denial.invalid("operationName must be a string or null");
        }
        JsonNode variables = root.get("variables");
        if (variables != null && !variables.isNull() && !variables.isObject()) {
            throw Denial.invalid("variables must be an object or null");
        }
        String text = query.asText();
        if (utf8Length(text, limits.maxQueryBytes()) > limits.maxQueryBytes()) {
            throw Denial.deny("maxQueryBytes", "query is larger than " + limits.maxQueryBytes() + " bytes");
        }
        return new GraphqlRequestBody(text, operationName == null || operationName.isNull() ? null : operationName.asText());
    }

    /** Exact UTF-8 length when it matters; only "over the limit or not" is ever asked. */
    static long utf8Length(String text, int limit) {
        if (text.length() > limit) {
            return text.length();
        }
        if ((long) text.length() * 3 <= limit) {
            return text.length();
        }
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
