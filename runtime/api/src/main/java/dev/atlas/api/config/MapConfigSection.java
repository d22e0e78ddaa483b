package dev.atlas.api.config;

import dev.atlas.api.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link ConfigSection} over a parsed YAML tree (maps, lists and scalars), whose secret references the host has
 * already resolved. The host reads {@code atlas.yaml} with it; plugin tests build one from a map.
 */
public final class MapConfigSection implements ConfigSection {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    /**
     * Stands in the tree for a value whose secret reference could not be resolved. That problem was reported once
     * already; getters then return empty without reporting the value as missing or malformed as well.
     */
    public static final Object UNRESOLVED = new Object() {
        @Override
        public String toString() {
            return "(unresolved reference)";
        }
    };

    private final String path;
    private final Map<String, Object> values;
    private final boolean present;
    private final Problems problems;

    private MapConfigSection(String path, Map<String, Object> values, boolean present, Problems problems) {
        this.path = path;
        this.values = values;
        this.present = present;
        this.problems = problems;
    }

    /** The root section of a tree. */
    public static MapConfigSection root(Map<String, ?> tree, Problems problems) {
        return of("", tree, problems);
    }

    /** A section at {@code path} over {@code values}. */
    public static MapConfigSection of(String path, Map<String, ?> values, Problems problems) {
        Map<String, Object> copy = values == null ? Map.of() : new LinkedHashMap<>(values);
        return new MapConfigSection(path, copy, values != null, problems);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean isPresent() {
        return present;
    }

    @Override
    public Set<String> keys() {
        return new LinkedHashSet<>(values.keySet());
    }

    @Override
    public void allowOnly(Set<String> known) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                problems.add(keyOf(key), "unknown key (known keys: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    @Override
    public Optional<String> string(String key) {
        Object value = values.get(key);
        if (value == null || value == UNRESOLVED) {
            return Optional.empty();
        }
        if (value instanceof Map || value instanceof List) {
            problems.add(keyOf(key), "must be a single value, not a " + (value instanceof Map ? "section" : "list"));
            return Optional.empty();
        }
        return Optional.of(String.valueOf(value));
    }

    @Override
    public Optional<String> requiredString(String key) {
        Optional<String> value = string(key);
        if (value.isEmpty() || value.get().isBlank()) {
            Object raw = values.get(key);
            if (raw != UNRESOLVED && !(raw instanceof Map) && !(raw instanceof List)) {
                problems.add(keyOf(key), "must not be empty");
            }
            return Optional.empty();
        }
        return value;
    }

    @Override
    public Optional<Secret> secret(String key) {
        return string(key).map(Secret::of);
    }

    @Override
    public Optional<Secret> requiredSecret(String key) {
        return requiredString(key).map(Secret::of);
    }

    @Override
    public Optional<Long> integer(String key) {
        return string(key).flatMap(text -> {
            try {
                return Optional.of(Long.parseLong(text.trim()));
            } catch (NumberFormatException e) {
                problems.add(keyOf(key), "must be a whole number");
                return Optional.empty();
            }
        });
    }

    @Override
    public Optional<Boolean> bool(String key) {
        return string(key).flatMap(text -> {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("false")) {
                return Optional.of(Boolean.parseBoolean(t));
            }
            problems.add(keyOf(key), "must be true or false");
            return Optional.empty();
        });
    }

    @Override
    public Optional<Duration> duration(String key) {
        return string(key).flatMap(text -> {
            Optional<Duration> parsed = parseDuration(text.trim());
            if (parsed.isEmpty()) {
                problems.add(keyOf(key), "must be a duration such as 250ms, 30s, 5m, 24h or 7d");
            }
            return parsed;
        });
    }

    /** Parses {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 250ms}, {@code 7d} or ISO-8601 {@code PT30S}. */
    public static Optional<Duration> parseDuration(String text) {
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                return Optional.of(Duration.parse(text));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Matcher m = DURATION.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return Optional.empty();
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            end = m.end();
        }
        return end == text.length() && end > 0 ? Optional.of(total) : Optional.empty();
    }

    @Override
    public Optional<URI> url(String key) {
        return string(key).flatMap(text -> {
            try {
                URI uri = new URI(text.trim());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                    return Optional.of(uri);
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            problems.add(keyOf(key), "must be an absolute http(s) URL");
            return Optional.empty();
        });
    }

    @Override
    public List<String> strings(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            problems.add(keyOf(key), "must be a list");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (item == UNRESOLVED) {
                continue;
            }
            if (item == null || item instanceof Map || item instanceof List) {
                problems.add(keyOf(key) + "[" + i + "]", "must be a single value");
            } else {
                out.add(String.valueOf(item));
            }
        }
        return out;
    }

    @Override
    public Map<String, String> stringMap(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(keyOf(key), "must be a section of names and values");
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v == UNRESOLVED) {
                return;
            }
            if (v == null || v instanceof Map || v instanceof List) {
                problems.add(keyOf(key) + "." + k, "must be a single value");
            } else {
                out.put(String.valueOf(k), String.valueOf(v));
            }
        });
        return out;
    }

    @Override
    @SuppressWarnings("unchecked")
    public ConfigSection section(String key) {
        Object value = values.get(key);
        if (value == null) {
            return new MapConfigSection(keyOf(key), Map.of(), false, problems);
        }
        if (!(value instanceof Map)) {
            problems.add(keyOf(key), "must be a section");
            return new MapConfigSection(keyOf(key), Map.of(), false, problems);
        }
        return new MapConfigSection(keyOf(key), new LinkedHashMap<>((Map<String, Object>) value), true, problems);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<ConfigSection> sections(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            problems.add(keyOf(key), "must be a list");
            return List.of();
        }
        List<ConfigSection> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String itemPath = keyOf(key) + "[" + i + "]";
            if (list.get(i) instanceof Map<?, ?> map) {
                out.add(new MapConfigSection(itemPath, new LinkedHashMap<>((Map<String, Object>) map), true, problems));
            } else {
                problems.add(itemPath, "must be a section");
            }
        }
        return out;
    }

    @Override
    public Problems problems() {
        return problems;
    }
}
