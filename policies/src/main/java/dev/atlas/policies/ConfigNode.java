package dev.atlas.policies;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node of a policy file with its key path, so that every error names the file and the full key. Unknown keys are
 * errors: a misspelt {@code maxDeph} must not silently fall back to a default.
 */
final class ConfigNode {

    private final JsonNode node;
    private final String path;
    private final String source;

    ConfigNode(JsonNode node, String path, String source) {
        this.node = node;
        this.path = path;
        this.source = source;
    }

    String path() {
        return path;
    }

    PolicyException error(String message) {
        return new PolicyException(source + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Fails on the first key (in sorted order, for stable messages) that is not one of {@code keys}. */
    ConfigNode requireKeys(String... keys) throws PolicyException {
        if (!node.isObject()) {
            throw error("must be a mapping");
        }
        Set<String> known = Set.of(keys);
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (!known.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            String key = unknown.iterator().next();
            throw new PolicyException(source + ": " + childPath(Texts.clip(key, 64)) + ": unknown key (known keys: "
                + String.join(", ", new TreeSet<>(Arrays.asList(keys))) + ")");
        }
        return this;
    }

    Optional<ConfigNode> child(String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new ConfigNode(value, childPath(key), source));
    }

    ConfigNode required(String key) throws PolicyException {
        Optional<ConfigNode> value = child(key);
        if (value.isEmpty()) {
            throw new PolicyException(source + ": " + childPath(key) + ": is required");
        }
        return value.get();
    }

    String text() throws PolicyException {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw error("must be a non-empty string");
        }
        return node.asText();
    }

    int intValue(int min, int max) throws PolicyException {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw error("must be an integer between " + min + " and " + max);
        }
        return node.asInt();
    }

    boolean bool() throws PolicyException {
        if (!node.isBoolean()) {
            throw error("must be true or false");
        }
        return node.asBoolean();
    }

    /** The keys of a mapping, in file order. */
    List<String> keys() throws PolicyException {
        if (!node.isObject()) {
            throw error("must be a mapping");
        }
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    List<ConfigNode> items() throws PolicyException {
        if (!node.isArray()) {
            throw error("must be a list");
        }
        List<ConfigNode> items = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            items.add(new ConfigNode(node.get(i), path + "[" + i + "]", source));
        }
        return items;
    }

    List<String> strings() throws PolicyException {
        List<String> values = new ArrayList<>();
        for (ConfigNode item : items()) {
            values.add(item.text());
        }
        return values;
    }
}
