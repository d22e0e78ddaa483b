package dev.atlas.core.config;

import dev.atlas.api.config.MapConfigSection;
import dev.atlas.api.config.Problems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${env:NAME}} and {@code ${file:/path}} references in every string of a parsed config tree. A file
 * reference reads the file's content with one trailing newline trimmed; relative file paths resolve against the
 * config file's folder. A reference that cannot be resolved is a problem at its key; the value is never printed.
 */
final class SecretReferences {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]*)}");

    private final Function<String, String> environment;
    private final Path baseDir;
    private final Problems problems;

    SecretReferences(Function<String, String> environment, Path baseDir, Problems problems) {
        this.environment = environment;
        this.baseDir = baseDir;
        this.problems = problems;
    }

    /** Returns a copy of {@code tree} with every reference replaced. */
    Map<String, Object> resolve(Map<String, Object> tree) {
        return resolveMap("", tree);
    }

    private Map<String, Object> resolveMap(String path, Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            String key = String.valueOf(k);
            out.put(key, resolveValue(path.isEmpty() ? key : path + "." + key, v));
        });
        return out;
    }

    private Object resolveValue(String path, Object value) {
        if (value instanceof Map<?, ?> map) {
            return resolveMap(path, map);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(resolveValue(path + "[" + i + "]", list.get(i)));
            }
            return out;
        }
        if (value instanceof String text) {
            return resolveString(path, text);
        }
        return value;
    }

    /** The resolved text, or {@link MapConfigSection#UNRESOLVED} when a reference in it could not be resolved. */
    private Object resolveString(String path, String text) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        boolean unresolved = false;
        while (m.find()) {
            String replacement = lookup(path, m.group(1), m.group(2).trim());
            unresolved |= replacement == null;
            m.appendReplacement(out, Matcher.quoteReplacement(replacement == null ? "" : replacement));
        }
        m.appendTail(out);
        // reported once here; the value must not also read as empty or malformed
        return unresolved ? MapConfigSection.UNRESOLVED : out.toString();
    }

    private String lookup(String path, String kind, String name) {
        if (name.isEmpty()) {
            problems.add(path, "${" + kind + ":} needs a name");
            return null;
        }
        if (kind.equals("env")) {
            String value = environment.apply(name);
            if (value == null) {
                problems.add(path, "environment variable " + name + " is not set");
            }
            return value;
        }
        Path file = baseDir.resolve(name).normalize();
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            return content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        } catch (IOException | SecurityException e) {
            problems.add(path, "cannot read file " + file + " (" + e.getClass().getSimpleName() + ")");
            return null;
        }
    }
}
