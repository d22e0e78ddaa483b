package dev.atlas.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a YAML file into a tree of maps, lists and scalars; syntax errors name the line and column. */
final class YamlTree {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private YamlTree() {
    }

    /**
     * A secret reference written as a bare value ({@code privateKey: ${file:/etc/atlas/gh.pem}}) is not a valid plain
     * scalar inside a flow mapping ({@code github: { privateKey: ${file:...} }}, the form SPEC §3 shows): its braces
     * end the mapping. Such references are single-quoted before parsing, so both forms mean the same.
     */
    private static final java.util.regex.Pattern BARE_REFERENCE =
        java.util.regex.Pattern.compile("(?<=[:\\[,-][ \\t]{1,16})\\$\\{(env|file):[^}\\n]*}");

    static String quoteReferences(String text) {
        return BARE_REFERENCE.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
            "'" + m.group().replace("'", "''") + "'"));
    }

    static Map<String, Object> read(Path file) throws ConfigException {
        try {
            String text = Files.readString(file);
            if (text.isBlank()) {
                return new LinkedHashMap<>();
            }
            Object tree = YAML.readValue(quoteReferences(text), new TypeReference<Object>() { });
            if (tree == null) {
                return new LinkedHashMap<>();
            }
            if (!(tree instanceof Map)) {
                throw new ConfigException(List.of(file + ": the top level must be a section of keys"));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) tree;
            return map;
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": no such file"));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
            // only the first line of the parser's message: the rest quotes the file, which may hold secrets
            String message = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("").trim();
            throw new ConfigException(List.of(file + where + ": YAML syntax error: " + message));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read (" + e.getClass().getSimpleName() + ")"));
        }
    }
}
