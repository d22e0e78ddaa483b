package dev.atlas.policies;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps only the named fields of a JSON response body, token by token, without building a tree.
 *
 * <p>A path is a dot-separated list of steps: {@code name} (a key of an object), {@code *} (any key of an object),
 * each optionally followed by {@code []} (the value is an array, then each element), or {@code []} alone (each
 * element of an array, e.g. a top-level array). {@code id}, {@code owner.login}, {@code files[].filename},
 * {@code labels[].*}, {@code [].id}. A group {@code {a,b}} stands for each alternative: {@code user.{login,id}} is
 * {@code user.login} and {@code user.id}. Where a path ends, the whole value is kept. Elsewhere an object or an array is
 * kept only as far as some path goes into it: its members that no path names are dropped, at any depth, and an
 * object or array no path goes into is dropped with its key. A scalar where a path still wants to go deeper is
 * dropped too; a {@code null} there is kept ({@code "owner": null} says no more than that there is no owner).
 *
 * <p>The body must be exactly one JSON object or array with no key repeated in any object; anything else is refused
 * (an {@link IllegalArgumentException}) so that an answer the filter cannot read never reaches the caller as it is.
 * Keys are compared after JSON unescaping; numbers are copied as their text.
 */
public final class AllowList {

    private static final JsonFactory JSON = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
        .build();
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_$@+-]+");
    private static final String ANY_KEY = "*";
    private static final int MAX_PATHS = 4096;
    /** The marker of an array step in {@link #names}; keys never contain '['. */
    private static final String ELEMENT = "[]";

    private final List<String> paths;
    private final String[][] names;

    private AllowList(List<String> paths) {
        this.paths = List.copyOf(paths);
        List<String[]> compiled = new ArrayList<>();
        for (String path : paths) {
            for (String one : expand(path)) {
                compiled.add(compile(one));
            }
        }
        if (compiled.size() > MAX_PATHS) {
            throw new IllegalArgumentException("a response allow-list may name at most " + MAX_PATHS + " paths");
        }
        names = compiled.toArray(new String[0][]);
    }

    /**
     * An allow-list of {@code paths}.
     *
     * @throws IllegalArgumentException when a path is malformed; the message names it
     */
    public static AllowList of(List<String> paths) {
        return new AllowList(paths);
    }

    /** The paths as written. */
    public List<String> paths() {
        return paths;
    }

    /**
     * The body with only the allowed fields, as a new compact serialisation; an empty (or blank) body is returned as
     * it is.
     *
     * @throws IllegalArgumentException when the body is not exactly one JSON object or array, or repeats a key
     */
    public byte[] filter(byte[] body) {
        if (blank(body)) {
            return body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(body.length, 1 << 16));
        try (JsonParser parser = JSON.createParser(body); JsonGenerator generator = JSON.createGenerator(out)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
                throw refused();
            }
            copy(parser, generator, initial());
            if (parser.nextToken() != null) {
                throw refused();
            }
        } catch (IOException e) {
            // also a repeated key (StreamReadException): which of two values would the caller's parser keep?
            throw refused();
        }
        return out.toByteArray();
    }

    private static IllegalArgumentException refused() {
        return new IllegalArgumentException("response body is not one JSON object or array with distinct keys; "
            + "refusing to pass it on unfiltered");
    }

    /** Copies the container at the parser's current token, keeping what {@code states} (all incomplete) reach. */
    private void copy(JsonParser parser, JsonGenerator generator, int[] states) throws IOException {
        if (parser.currentToken() == JsonToken.START_OBJECT) {
            generator.writeStartObject();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int[] next = step(states, name, false);
                JsonToken value = parser.nextToken();
                if (keep(value, next)) {
                    generator.writeFieldName(name);
                    value(parser, generator, next);
                } else {
                    parser.skipChildren();
                }
            }
            generator.writeEndObject();
        } else {
            generator.writeStartArray();
            int[] next = step(states, null, true);
            JsonToken value;
            while ((value = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (value == null) {
                    throw refused();
                }
                if (keep(value, next)) {
                    value(parser, generator, next);
                } else {
                    parser.skipChildren();
                }
            }
            generator.writeEndArray();
        }
    }

    /** Whether a value reached by {@code states} appears in the output at all. */
    private boolean keep(JsonToken value, int[] states) {
        if (states.length == 0 || value == null) {
            return false;
        }
        return complete(states) || value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY
            || value == JsonToken.VALUE_NULL;
    }

    private void value(JsonParser parser, JsonGenerator generator, int[] states) throws IOException {
        if (complete(states)) {
            whole(parser, generator);
        } else if (parser.currentToken() == JsonToken.VALUE_NULL) {
            generator.writeNull();
        } else {
            copy(parser, generator, states);
        }
    }

    /** Copies the value at the parser's current token as it is (numbers as their own text). */
    private static void whole(JsonParser parser, JsonGenerator generator) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            generator.writeStartObject();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                generator.writeFieldName(parser.currentName());
                parser.nextToken();
                whole(parser, generator);
            }
            generator.writeEndObject();
        } else if (token == JsonToken.START_ARRAY) {
            generator.writeStartArray();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (parser.currentToken() == null) {
                    throw refused();
                }
                whole(parser, generator);
            }
            generator.writeEndArray();
        } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            generator.writeNumber(parser.getText());
        } else if (token == null) {
            throw refused();
        } else {
            generator.copyCurrentEvent(parser);
        }
    }

    private int[] initial() {
        int[] states = new int[names.length];
        for (int p = 0; p < names.length; p++) {
            states[p] = encode(p, 0);
        }
        return states;
    }

    /**
     * Positions reached from {@code states} by one key {@code name}, or by an array element: a key spelt "[]" or
     * "*" in the answer is only ever a key.
     */
    private int[] step(int[] states, String name, boolean element) {
        int[] next = new int[states.length];
        int n = 0;
        for (int state : states) {
            int p = state >>> 16;
            int i = state & 0xffff;
            if (i >= names[p].length) {
                continue;
            }
            String want = names[p][i];
            // compiled key steps never spell "[]" or "*" (KEY excludes them), so equals() cannot confuse the kinds
            boolean matches = element ? want.equals(ELEMENT)
                : !want.equals(ELEMENT) && (want.equals(ANY_KEY) || want.equals(name));
            if (matches) {
                next[n++] = encode(p, i + 1);
            }
        }
        return n == next.length ? next : Arrays.copyOf(next, n);
    }

    private boolean complete(int[] states) {
        for (int state : states) {
            if ((state & 0xffff) == names[state >>> 16].length) {
                return true;
            }
        }
        return false;
    }

    private static int encode(int path, int step) {
        return (path << 16) | step;
    }

    private static boolean blank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /**
     * The paths a written path stands for: each group {@code {a,b}} is replaced by each of its alternatives, so
     * {@code head.{ref,sha}} is {@code head.ref} and {@code head.sha}. Groups do not nest.
     */
    static List<String> expand(String path) {
        if (path == null) {
            throw new IllegalArgumentException("a response allow-list path must not be empty");
        }
        int open = path.indexOf('{');
        int close = path.indexOf('}');
        if (open < 0 && close < 0) {
            return List.of(path);
        }
        int nested = path.indexOf('{', open + 1);
        if (open < 0 || close < open || (nested >= 0 && nested < close)) {
            throw new IllegalArgumentException("response allow-list path '" + Texts.clip(path, 80)
                + "' has a malformed {...} group");
        }
        List<String> out = new ArrayList<>();
        for (String alternative : path.substring(open + 1, close).split(",", -1)) {
            for (String rest : expand(path.substring(close + 1))) {
                out.add(path.substring(0, open) + alternative.strip() + rest);
            }
            if (out.size() > MAX_PATHS) {
                throw new IllegalArgumentException("response allow-list path '" + Texts.clip(path, 80)
                    + "' stands for too many paths");
            }
        }
        return out;
    }

    /** Parses one path (without groups) into its steps: key names, {@code *} and {@link #ELEMENT}. */
    static String[] compile(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("a response allow-list path must not be empty");
        }
        List<String> steps = new ArrayList<>();
        for (String part : path.split("\\.", -1)) {
            String key = part;
            int arrays = 0;
            while (key.endsWith(ELEMENT)) {
                key = key.substring(0, key.length() - 2);
                arrays++;
            }
            if (key.isEmpty() && arrays == 0) {
                throw new IllegalArgumentException("response allow-list path '" + Texts.clip(path, 80)
                    + "' has an empty step");
            }
            if (!key.isEmpty()) {
                if (key.equals(ANY_KEY)) {
                    steps.add(ANY_KEY);
                } else if (KEY.matcher(key).matches()) {
                    steps.add(key);
                } else {
                    throw new IllegalArgumentException("response allow-list path '" + Texts.clip(path, 80)
                        + "' has a malformed step '" + Texts.clip(part, 40) + "'");
                }
            }
            for (int a = 0; a < arrays; a++) {
                steps.add(ELEMENT);
            }
        }
        if (steps.size() > 64) {
            throw new IllegalArgumentException("response allow-list path '" + Texts.clip(path, 80) + "' is too long");
        }
        return steps.toArray(new String[0]);
    }
}
