package dev.atlas.policies;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON body of a {@code POST /vcs/graphql}, read strictly: exactly one object with {@code query} (a string),
 * optional {@code operationName} (string or null) and {@code variables} (object or null), nothing else. Anything
 * an upstream server might read differently from us is refused: a repeated key, a second JSON value, a batch array,
 * {@code extensions} (persisted queries would run a document we never saw).
 *
 * <p>What goes upstream is not this body but {@link #canonicalJson}: Atlas's own JSON around Atlas's own printed
 * document, with {@code variables} and {@code operationName} written again from the values read here.
 *
 * @param query         the document text as received
 * @param operationName {@code null} when absent or null
 * @param variables     {@code null} when absent or null, else the JSON object as Jackson wrote it again while reading
 *                      it: no whitespace, every character beyond ASCII escaped, numbers as their checked JSON text
 */
record GraphqlRequestBody(String query, String operationName, String variables) {

    /** JSON nested deeper is refused (400): no GraphQL input a VCS takes nests anywhere near this far. */
    static final int MAX_JSON_NESTING = 64;

    private static final JsonFactory JSON = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_NESTING).build())
        // every character beyond ASCII is written as an escape: U+2028/U+2029 and the like never go out raw
        .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
        .build();

    /** Reads the body, or throws a {@link Denial}: 400 for what is not one GraphQL request, 403 over a byte limit. */
    static GraphqlRequestBody read(String body, GraphqlLimits limits) {
        if (utf8Length(body, limits.maxBodyBytes()) > limits.maxBodyBytes()) {
            throw Denial.deny("maxBodyBytes", "request body is larger than " + limits.maxBodyBytes() + " bytes");
        }
        String query = null;
        String operationName = null;
        String variables = null;
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
                        // Kept only to be written again: the decision never depends on variables. Duplicate keys
                        // in them are detected while reading.
                        variables = value == JsonToken.VALUE_NULL ? null : rewrite(parser);
                        break;
                    default:
                        throw Denial.invalid("request body key '" + Texts.clip(key, 40)
                            + "' is not allowed (only query, operationName, variables)");
                }
            }
            if (parser.nextToken() != null) {
                throw Denial.invalid("request body is not valid JSON");
            }
        } catch (StreamConstraintsException e) {
            throw Denial.invalid("request body nests JSON deeper than " + MAX_JSON_NESTING + " levels");
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
        return new GraphqlRequestBody(query, operationName, variables);
    }

    /**
     * The body Atlas sends upstream: {@code {"query": document, "variables": ..., "operationName": ...}}, the last
     * two only when given, in that order, as ASCII-only JSON.
     *
     * @param document Atlas's printed text of the checked document ({@link CanonicalGraphql})
     */
    String canonicalJson(String document) {
        StringWriter out = new StringWriter(document.length() + 64);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("query", document);
            if (variables != null) {
                json.writeFieldName("variables");
                json.writeRawValue(variables);
            }
            if (operationName != null) {
                json.writeStringField("operationName", operationName);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Writes the JSON value the parser stands on again, token by token (no recursion, so the nesting limit is the
     * only bound needed): Jackson's own output of what it read, numbers as the number text it validated so that
     * nothing is rounded.
     */
    private static String rewrite(JsonParser parser) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            int depth = 0;
            JsonToken token = parser.currentToken();
            do {
                switch (token) {
                    case START_OBJECT -> {
                        json.writeStartObject();
                        depth++;
                    }
                    case START_ARRAY -> {
                        json.writeStartArray();
                        depth++;
                    }
                    case END_OBJECT -> {
                        json.writeEndObject();
                        depth--;
                    }
                    case END_ARRAY -> {
                        json.writeEndArray();
                        depth--;
                    }
                    case FIELD_NAME -> json.writeFieldName(parser.currentName());
                    case VALUE_STRING -> json.writeString(parser.getText());
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> json.writeNumber(parser.getText());
                    case VALUE_TRUE, VALUE_FALSE -> json.writeBoolean(token == JsonToken.VALUE_TRUE);
                    case VALUE_NULL -> json.writeNull();
                    default -> throw new IOException("unexpected JSON token " + token);
                }
            } while (depth > 0 && (token = parser.nextToken()) != null);
        }
        return out.toString();
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
