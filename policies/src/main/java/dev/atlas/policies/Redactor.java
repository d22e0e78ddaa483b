package dev.atlas.policies;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes fields from a JSON response body, token by token, without building a tree.
 *
 * <p>A path is a dot-separated list of steps: {@code name} (a key of an object), {@code name[]} (a key whose value is
 * an array, then each element), {@code []} (each element of an array, e.g. a top-level array) and {@code **} (any
 * number of levels, objects or arrays). The last step is the key that is removed. Examples: {@code patch},
 * {@code files[].patch} (the {@code patch} of every element of {@code files}), {@code [].patch} (a top-level array
 * of files), {@code **.patch} (every {@code patch} key anywhere). A key repeated in one object is removed every
 * time it appears, and keys are compared after JSON unescaping ({@code "p\u0061tch"} is {@code patch}).
 *
 * <p>A body that is not JSON is refused rather than passed on: the response of a rule with redactions must not
 * reach the caller unredacted because the upstream answered in another format.
 */
public final class Redactor {

    private static final JsonFactory JSON = JsonFactory.builder()
        .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
        .build();
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_$@-]+");

    private static final int KEY_STEP = 0;
    private static final int ARRAY_STEP = 1;
    private static final int ANY_STEP = 2;

    private final int[][] kinds;
    private final String[][] names;

    private Redactor(List<String> paths) {
        kinds = new int[paths.size()][];
        names = new String[paths.size()][];
        for (int p = 0; p < paths.size(); p++) {
            Step[] steps = compile(paths.get(p));
            kinds[p] = new int[steps.length];
            names[p] = new String[steps.length];
            for (int i = 0; i < steps.length; i++) {
                kinds[p][i] = steps[i].kind;
                names[p][i] = steps[i].name;
            }
        }
    }

    /**
     * The body with every field named by {@code paths} removed.
     *
     * @return {@code jsonBody} itself when there is nothing to remove or the body is empty, else a new, compact
     *         serialisation of the same JSON value
     * @throws IllegalArgumentException when {@code paths} is not empty and the body is not a single JSON value, or a
     *                                  path is malformed
     */
    public static byte[] redact(byte[] jsonBody, List<String> paths) {
        if (paths.isEmpty() || blank(jsonBody)) {
            return jsonBody;
        }
        return new Redactor(paths).apply(jsonBody);
    }

    private byte[] apply(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        try (JsonParser parser = JSON.createParser(body); JsonGenerator generator = JSON.createGenerator(out)) {
            parser.nextToken();
            copy(parser, generator, closure(initial()));
            if (parser.nextToken() != null) {
                throw notJson();
            }
        } catch (IOException e) {
            throw notJson();
        }
        return out.toByteArray();
    }

    private static IllegalArgumentException notJson() {
        return new IllegalArgumentException("response body is not a single JSON value; refusing to pass it on unredacted");
    }

    /** Copies the value at the parser's current token; {@code states} are the path positions that reach it. */
    private void copy(JsonParser parser, JsonGenerator generator, int[] states) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            generator.writeStartObject();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int[] next = closure(step(states, KEY_STEP, name));
                parser.nextToken();
                if (complete(next)) {
                    parser.skipChildren();
                    continue;
                }
                generator.writeFieldName(name);
                copy(parser, generator, next);
            }
            generator.writeEndObject();
        } else if (token == JsonToken.START_ARRAY) {
            generator.writeStartArray();
            int[] next = closure(step(states, ARRAY_STEP, null));
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                copy(parser, generator, next);
            }
            generator.writeEndArray();
        } else if (token == null) {
            throw notJson();
        } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            // The number's own text: no rounding, no lost sign of -0.0, no change of exponent notation.
            generator.writeNumber(parser.getText());
        } else {
            generator.copyCurrentEvent(parser);
        }
    }

    private int[] initial() {
        int[] states = new int[kinds.length];
        for (int p = 0; p < kinds.length; p++) {
            states[p] = encode(p, 0);
        }
        return states;
    }

    /** Positions reached from {@code states} by one key (or array element); {@code **} may stay where it is. */
    private int[] step(int[] states, int kind, String name) {
        if (states.length == 0) {
            return states;
        }
        int[] next = new int[states.length];
        int n = 0;
        for (int state : states) {
            int p = state >>> 16;
            int i = state & 0xffff;
            if (i >= kinds[p].length) {
                continue;
            }
            int stepKind = kinds[p][i];
            if (stepKind == ANY_STEP) {
                next[n++] = state;
            } else if (stepKind == kind && (kind == ARRAY_STEP || names[p][i].equals(name))) {
                next[n++] = encode(p, i + 1);
            }
        }
        return n == next.length ? next : Arrays.copyOf(next, n);
    }

    /** Adds, for every position before {@code **}, the position after it ({@code **} matching zero levels). */
    private int[] closure(int[] states) {
        int[] out = states;
        int n = states.length;
        for (int k = 0; k < n; k++) {
            int state = out[k];
            int p = state >>> 16;
            int i = state & 0xffff;
            if (i < kinds[p].length && kinds[p][i] == ANY_STEP) {
                int after = encode(p, i + 1);
                if (!contains(out, n, after)) {
                    out = Arrays.copyOf(out, n + 1);
                    out[n++] = after;
                }
            }
        }
        return out;
    }

    private boolean complete(int[] states) {
        for (int state : states) {
            if ((state & 0xffff) == kinds[state >>> 16].length) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(int[] states, int n, int value) {
        for (int k = 0; k < n; k++) {
            if (states[k] == value) {
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

    /** Parses one path; used when a policy file is read, so that a typo fails at start-up. */
    static Step[] compile(String path) {
        List<Step> steps = new ArrayList<>();
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("a redaction path must not be empty");
        }
        for (String part : path.split("\\.", -1)) {
            if (part.equals("**")) {
                steps.add(new Step(ANY_STEP, null));
                continue;
            }
            String key = part;
            int arrays = 0;
            while (key.endsWith("[]")) {
                key = key.substring(0, key.length() - 2);
                arrays++;
            }
            if (!key.isEmpty()) {
                if (!KEY.matcher(key).matches()) {
                    throw new IllegalArgumentException("redaction path '" + Texts.clip(path, 80)
                        + "' has a malformed step '" + Texts.clip(part, 40) + "'");
                }
                steps.add(new Step(KEY_STEP, key));
            } else if (arrays == 0) {
                throw new IllegalArgumentException("redaction path '" + Texts.clip(path, 80) + "' has an empty step");
            }
            for (int a = 0; a < arrays; a++) {
                steps.add(new Step(ARRAY_STEP, null));
            }
        }
        if (steps.get(steps.size() - 1).kind != KEY_STEP) {
            throw new IllegalArgumentException("redaction path '" + Texts.clip(path, 80) + "' must end with a key");
        }
        if (steps.size() > 64) {
            throw new IllegalArgumentException("redaction path '" + Texts.clip(path, 80) + "' is too long");
        }
        return steps.toArray(new Step[0]);
    }

    /** One step of a path: a key, any array element, or any depth. */
    record Step(int kind, String name) {
    }
}
