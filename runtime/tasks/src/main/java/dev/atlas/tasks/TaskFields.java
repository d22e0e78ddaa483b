package dev.atlas.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads one JSON object of a task, naming every problem by its full field path ({@code analyzers[0].memory}). Each
 * problem is a 400 whose message starts with the field and whose answer carries it as {@code field}.
 */
final class TaskFields {
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\n\\r\\t]]");

    private final JsonNode node;
    private final String prefix;

    TaskFields(JsonNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    static AtlasException invalid(String field, String message) {
        return new AtlasException(ErrorKind.INVALID_REQUEST, field + ": " + message, Map.of("field", field),
            Optional.empty(), null);
    }

    String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    boolean has(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    String text(String name, int maxLength) {
        return optionalText(name, maxLength).orElseThrow(() -> invalid(key(name), "is required"));
    }

    Optional<String> optionalText(String name, int maxLength) {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonNode value = node.get(name);
        if (!value.isTextual()) {
            throw invalid(key(name), "must be a string");
        }
        String text = value.asText();
        if (text.isBlank()) {
            throw invalid(key(name), "must not be empty");
        }
        if (text.length() > maxLength) {
            throw invalid(key(name), "must be at most " + maxLength + " characters");
        }
        if (CONTROL.matcher(text).find()) {
            throw invalid(key(name), "must not contain control characters");
        }
        return Optional.of(text);
    }

    String matching(String name, Pattern pattern, String rule) {
        String text = text(name, 1024);
        if (!pattern.matcher(text).matches()) {
            throw invalid(key(name), rule);
        }
        return text;
    }

    TaskFields object(String name) {
        return optionalObject(name).orElseThrow(() -> invalid(key(name), "is required"));
    }

    Optional<TaskFields> optionalObject(String name) {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonNode value = node.get(name);
        if (!value.isObject()) {
            throw invalid(key(name), "must be an object");
        }
        return Optional.of(new TaskFields(value, key(name)));
    }

    /** The objects of array {@code name}, between {@code min} and {@code max} of them. */
    List<TaskFields> objects(String name, int min, int max) {
        if (!has(name) || !node.get(name).isArray()) {
            throw invalid(key(name), has(name) ? "must be an array" : "is required");
        }
        JsonNode array = node.get(name);
        if (array.size() < min || array.size() > max) {
            throw invalid(key(name), "must hold " + min + " to " + max + " entries");
        }
        List<TaskFields> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String element = key(name) + "[" + i + "]";
            if (!array.get(i).isObject()) {
                throw invalid(element, "must be an object");
            }
            out.add(new TaskFields(array.get(i), element));
        }
        return out;
    }

    /** Array {@code name} of non-empty strings without NUL, 1 to {@code max} of them. */
    List<String> strings(String name, int max) {
        if (!has(name) || !node.get(name).isArray()) {
            throw invalid(key(name), has(name) ? "must be an array of strings" : "is required");
        }
        JsonNode array = node.get(name);
        if (array.isEmpty() || array.size() > max) {
            throw invalid(key(name), "must hold 1 to " + max + " strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (!item.isTextual() || item.asText().indexOf('\0') >= 0 || item.asText().length() > 32_768) {
                throw invalid(key(name) + "[" + i + "]", "must be a string without NUL of at most 32768 characters");
            }
            out.add(item.asText());
        }
        if (out.get(0).isBlank()) {
            throw invalid(key(name) + "[0]", "must name the program to run");
        }
        return out;
    }

    /** An integer field; fractional or non-numeric values are refused. */
    Optional<Long> optionalInteger(String name) {
        if (!has(name)) {
            return Optional.empty();
        }
        JsonNode value = node.get(name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw invalid(key(name), "must be a whole number");
        }
        return Optional.of(value.asLong());
    }

    JsonNode raw(String name) {
        return node.get(name);
    }
}
