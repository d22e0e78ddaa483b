package dev.atlas.policies;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The body of a REST write (POST, PUT, PATCH, DELETE with a body), read strictly: {@code Content-Type:
 * application/json} (optionally {@code ; charset=utf-8}) and nothing else (415), valid UTF-8 holding exactly one JSON
 * value (400), which must be an object (415), with no key given twice (400) and at most {@value #MAX_DEPTH} levels
 * deep. What goes upstream is {@link #serialise} of the object that was checked, never the caller's bytes: a form
 * body, a second value after the first or a key the VCS would decode differently cannot reach it.
 */
final class WriteBody {

    static final int MAX_BYTES = 1 << 20;
    static final int MAX_DEPTH = 32;
    static final String CONTENT_TYPE = "application/json";

    private static final ObjectMapper JSON = JsonMapper.builder(
            com.fasterxml.jackson.core.JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build())
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
        .build();

    private WriteBody() {
    }

    /** The object a write body holds, or a {@link Denial} (415 not JSON or not an object, 400 malformed). */
    static ObjectNode parse(byte[] body, List<String> contentTypes) {
        checkContentType(contentTypes);
        if (body.length > MAX_BYTES) {
            throw Denial.deny("body", "the request body is over " + (MAX_BYTES >> 20) + " MiB");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw Denial.invalid("the request body is not valid UTF-8");
        }
        JsonNode value;
        try {
            value = JSON.readTree(text);
        } catch (StreamConstraintsException e) {
            throw Denial.deny("body", "the request body is nested deeper than " + MAX_DEPTH + " levels");
        } catch (JsonProcessingException e) {
            String message = String.valueOf(e.getOriginalMessage());
            if (message.startsWith("Duplicate field")) {
                throw Denial.invalid("the request body gives a key twice");
            }
            throw Denial.invalid("the request body is not valid JSON: " + Texts.clip(message.replaceAll("\\s+", " "), 120));
        }
        if (value == null || !value.isObject()) {
            throw Denial.unsupported("a request body must be a JSON object");
        }
        requireWellFormedText(value);
        return (ObjectNode) value;
    }

    /** Escapes can spell a lone surrogate, which has no UTF-8 form and which VCSs would each repair differently. */
    private static void requireWellFormedText(JsonNode value) {
        if (value.isTextual()) {
            requireWellFormed(value.textValue());
        } else if (value.isObject()) {
            value.fields().forEachRemaining(member -> {
                requireWellFormed(member.getKey());
                requireWellFormedText(member.getValue());
            });
        } else if (value.isArray()) {
            value.forEach(WriteBody::requireWellFormedText);
        }
    }

    private static void requireWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw Denial.invalid("the request body holds a lone surrogate (\\u" + Integer.toHexString(c) + ")");
            }
        }
    }

    /** The bytes Atlas forwards for a checked body. */
    static byte[] serialise(ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // e.g. a lone surrogate escape, which has no UTF-8 form
            throw Denial.invalid("the request body cannot be written as JSON");
        }
    }

    private static void checkContentType(List<String> contentTypes) {
        if (contentTypes.isEmpty()) {
            throw Denial.unsupported("a request body needs Content-Type: " + CONTENT_TYPE);
        }
        if (contentTypes.size() > 1) {
            throw Denial.unsupported("Content-Type must be sent once");
        }
        String value = contentTypes.get(0);
        MediaTypes.MediaRange type = MediaTypes.entry(value == null ? "" : value);
        if (type == null || !type.type().equals(CONTENT_TYPE)) {
            throw Denial.unsupported("the request body must be " + CONTENT_TYPE + ", not " + Texts.clip(value, 80));
        }
        for (var parameter : type.parameters().entrySet()) {
            if (!parameter.getKey().equals("charset") || !parameter.getValue().toLowerCase(Locale.ROOT).equals("utf-8")) {
                throw Denial.unsupported("the Content-Type parameter " + Texts.clip(parameter.getKey(), 40)
                    + " is not allowed (only charset=utf-8)");
            }
        }
    }
}
