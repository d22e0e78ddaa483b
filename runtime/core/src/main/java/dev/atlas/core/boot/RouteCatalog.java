package dev.atlas.core.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.atlas.api.config.Problems;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The routes Atlas runs: the shipped YAML routes (in {@code atlas-routes}, listed in {@code routes/index.txt}) and
 * the admin's {@code *.camel.yaml} files in {@code routes.dir}. An admin route whose {@code id} equals a shipped
 * one replaces it; other admin routes are added. Every route and route configuration must have an id. Every
 * platform-http route that names no route configuration gets {@code atlas-errors} (the JSON error answers), shipped
 * or admin. The result is checked by {@link RouteGuards}: problems name the file and the route id.
 */
public final class RouteCatalog {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
    private static final String INDEX = "routes/index.txt";
    private static final List<String> DEFINITION_KINDS = List.of("route", "routeConfiguration", "routeTemplate");

    /** One YAML file as Camel will load it. */
    public record RouteFile(String name, String yaml) {
    }

    private final List<RouteFile> files;
    private final Set<String> shippedIds;
    private final Set<String> overriddenIds;
    private final Set<String> addedIds;

    private RouteCatalog(List<RouteFile> files, Set<String> shippedIds, Set<String> overriddenIds,
        Set<String> addedIds) {
        this.files = files;
        this.shippedIds = shippedIds;
        this.overriddenIds = overriddenIds;
        this.addedIds = addedIds;
    }

    /** Reads the shipped routes and the admin folder; problems go under {@code routes.dir}. */
    public static RouteCatalog load(Optional<Path> adminDir, Problems problems) {
        return load(adminDir, problems, RouteGuards.knownNames());
    }

    /** As {@link #load(Optional, Problems)}, with the step and bean names a {@code ref} may use. */
    public static RouteCatalog load(Optional<Path> adminDir, Problems problems, Set<String> knownNames) {
        RouteGuards guards = new RouteGuards(knownNames);
        Map<String, Path> adminIds = new HashMap<>();
        List<RouteFile> adminFiles = new ArrayList<>();
        if (adminDir.isPresent()) {
            readAdmin(adminDir.get(), adminIds, adminFiles, problems);
        }
        List<RouteFile> files = new ArrayList<>();
        Set<String> shippedIds = new LinkedHashSet<>();
        Set<String> overridden = new LinkedHashSet<>();
        for (String name : shippedNames()) {
            ArrayNode definitions = parse(name, readResource("routes/" + name));
            ArrayNode kept = YAML.createArrayNode();
            for (JsonNode definition : definitions) {
                Optional<String> id = idOf(definition);
                id.ifPresent(shippedIds::add);
                if (id.isPresent() && adminIds.containsKey(id.get())) {
                    overridden.add(id.get());
                } else {
                    kept.add(definition);
                }
            }
            if (!kept.isEmpty()) {
                defaultErrors(kept);
                guards.check(kept, p -> problems.add("routes", "shipped " + name + ": " + p));
                files.add(new RouteFile("shipped/" + name, write(kept)));
            }
        }
        for (RouteFile file : adminFiles) {
            guards.check(parse(file.name(), file.yaml()), p -> problems.add("routes.dir", file.name() + ": " + p));
        }
        files.addAll(adminFiles);
        Set<String> added = new LinkedHashSet<>(adminIds.keySet());
        added.removeAll(shippedIds);
        return new RouteCatalog(List.copyOf(files), shippedIds, overridden, added);
    }

    private static void readAdmin(Path dir, Map<String, Path> ids, List<RouteFile> out, Problems problems) {
        if (!Files.isDirectory(dir)) {
            // like policies.dir: an override folder that is not there (yet) means no overrides
            org.slf4j.LoggerFactory.getLogger(RouteCatalog.class).warn("routes.dir {} does not exist: no admin routes", dir);
            return;
        }
        List<Path> yamlFiles;
        try (Stream<Path> list = Files.list(dir)) {
            yamlFiles = list.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        } catch (IOException e) {
            problems.add("routes.dir", "cannot list " + dir + " (" + e.getClass().getSimpleName() + ")");
            return;
        }
        for (Path file : yamlFiles) {
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                ArrayNode definitions = parse(file.toString(), text);
                for (JsonNode definition : definitions) {
                    Optional<String> id = idOf(definition);
                    if (id.isEmpty()) {
                        problems.add("routes.dir", file.getFileName() + ": every route needs an id");
                    } else if (ids.putIfAbsent(id.get(), file) != null) {
                        problems.add("routes.dir", file.getFileName() + ": route id " + id.get()
                            + " is also defined in " + ids.get(id.get()).getFileName());
                    }
                }
                Optional<String> unreadable = RouteDsl.problem(file.getFileName().toString(), text);
                if (unreadable.isPresent()) {
                    problems.add("routes.dir", file.getFileName() + ": " + unreadable.get());
                    continue;
                }
                out.add(new RouteFile(file.getFileName().toString(),
                    defaultErrors(definitions) ? write(definitions) : text));
            } catch (IOException | IllegalArgumentException e) {
                problems.add("routes.dir", file.getFileName() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Gives {@code atlas-errors} to every platform-http route naming no route configuration; true when it changed
     * any.
     */
    private static boolean defaultErrors(ArrayNode definitions) {
        boolean changed = false;
        for (JsonNode definition : definitions) {
            JsonNode route = definition.get("route");
            if (route instanceof com.fasterxml.jackson.databind.node.ObjectNode object
                && !object.hasNonNull("routeConfigurationId")
                && route.path("from").path("uri").asText("").startsWith("platform-http:")) {
                object.put("routeConfigurationId", "atlas-errors");
                changed = true;
            }
        }
        return changed;
    }

    private static Optional<String> idOf(JsonNode definition) {
        for (String kind : DEFINITION_KINDS) {
            JsonNode body = definition.get(kind);
            if (body != null) {
                return Optional.ofNullable(body.get("id")).map(JsonNode::asText).filter(s -> !s.isBlank());
            }
        }
        return Optional.empty();
    }

    private static ArrayNode parse(String name, String yaml) {
        try {
            JsonNode node = YAML.readTree(yaml);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return YAML.createArrayNode();
            }
            if (!node.isArray()) {
                throw new IllegalArgumentException("a routes file must be a YAML list");
            }
            return (ArrayNode) node;
        } catch (IOException e) {
            String where = "";
            if (e instanceof com.fasterxml.jackson.core.JsonProcessingException json && json.getLocation() != null) {
                where = " at line " + json.getLocation().getLineNr() + ", column " + json.getLocation().getColumnNr();
            }
            String first = e instanceof com.fasterxml.jackson.core.JsonProcessingException json
                ? json.getOriginalMessage() : String.valueOf(e.getMessage());
            first = String.valueOf(first).lines().findFirst().orElse("");
            throw new IllegalArgumentException("YAML syntax error" + where + ": " + first, e);
        }
    }

    private static List<String> shippedNames() {
        return readResource(INDEX).lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static String readResource(String name) {
        try (InputStream in = RouteCatalog.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing shipped resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(ArrayNode definitions) {
        try {
            return YAML.writeValueAsString(definitions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files to load, shipped first (with overridden definitions removed), then the admin's. */
    public List<RouteFile> files() {
        return files;
    }

    public Set<String> shippedIds() {
        return shippedIds;
    }

    /** Shipped ids the admin replaced. */
    public Set<String> overriddenIds() {
        return overriddenIds;
    }

    /** Ids the admin added. */
    public Set<String> addedIds() {
        return addedIds;
    }
}
