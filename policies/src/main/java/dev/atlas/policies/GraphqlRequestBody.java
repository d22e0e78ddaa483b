package dev.atlas.policies;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON body of a {@code POST /vcs/graphql}, read strictly: exactly one object with {@code query} (a string),
 * optional {@code operationName} (string or null) and {@code variables} (object or null), nothing else. Anything
 * an upstream server might read differently from us is refused: a repeated key, a second JSON value, a batch array,
 * {@code extensions} (persisted queries would run a document we never saw).
 */
record GraphqlRequestBody(String query, String operationName) {

    private static final JsonFactory JSON = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();

    /** Reads the body, or throws a {@link Denial}: 400 for what is not one GraphQL request, 403 over a byte limit. */
    static GraphqlRequestBody read(String body, GraphqlLimits limits) {
        if (utf8Length(body, limits.maxBodyBytes()) > limits.maxBodyBytes()) {
            throw Denial.deny("maxBodyBytes", "request body is larger than " + limits.maxBodyBytes() + " bytes");
        }
        String query = null;
        String operationName = null;
        try (JsonParser parser = JSON.createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw Denial.invalid("request body is empty");
            }
            if (token == JsonToken.START_ARRAY) {
                throw Denial.invalid("batched GraphQL requests (a JSON array) are not allowed");
            }
            if (token != JsonToken.START_OBJECT) {
                throw Denial.invalid("request body must be a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (key) {
                    case "query":
                        if (value != JsonToken.VALUE_STRING) {
                            throw Denial.invalid(value == JsonToken.VALUE_NULL ? "request body has no query" : "query must be a string");
                        }
                        query = parser.getText();
                        break;
                    case "operationName":
                        if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
                            throw Denial.invalid("operationName must be a string or null");
                        }
                        operationName = value == JsonToken.VALUE_NULL ? null : parser.getText();
                        break;
                    case "variables":
                        if (value != JsonToken.START_OBJECT && value != JsonToken.VALUE_NULL) {
                            throw Denial.invalid("variables must be an object or null");
                        }
                        // Read through, not kept: the decision never depends on variables. Duplicate keys in
                        // them are still detected while skipping.
                        parser.skipChildren();
                        break;
                    default:
                        throw Denial.invalid("request body key '" + Texts.clip(key, 40)
                            + "' is not allowed (only query, operationName, variables)");
                }
            }
            if (parser.nextToken() != null) {
                throw Denial.invalid("request body is not valid JSON");
            }
        } catch (JsonParseException e) {
            String message = e.getOriginalMessage();
            throw Denial.invalid(message != null && message.startsWith("Duplicate field")
                ? "request body repeats a JSON key" : "request body is not valid JSON");
        } catch (IOException e) {
            throw Denial.invalid("request body is not valid JSON");
        }
        if (query == null) {
            throw Denial.invalid("request body has no query");
        }
        if (utf8Length(query, limits.maxQueryBytes()) > limits.maxQueryBytes()) {
            throw Denial.deny("maxQueryBytes", "query is larger than " + limits.maxQueryBytes() + " bytes");
        }
        return new GraphqlRequestBody(query, operationName);
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
