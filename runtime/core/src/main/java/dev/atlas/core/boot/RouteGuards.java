package dev.atlas.core.boot;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The route checker (SPEC §9 "Guards cannot be routed around"), run by {@code atlas check} and before {@code atlas run}
 * starts anything: a route that reaches a sink step without its guard steps before it is refused, and so is a step
 * {@code ref} (in {@code process}, {@code bean}, or a {@code bean:} URI of {@code to}, {@code toD}, {@code wireTap},
 * {@code enrich}) naming no step or bean Atlas knows.
 *
 * <ul>
 *   <li>{@code webhookSpool} needs {@code webhookVerify} before it;</li>
 *   <li>{@code proxyForward} needs {@code proxyAuthenticate} and {@code proxyPolicy} before it;</li>
 *   <li>{@code taskDispatch} needs {@code taskAuthenticate} before it.</li>
 * </ul>
 *
 * <p>The rule for nested steps is the safe one: a guard counts only where it is on every path to the sink. A guard
 * in the route's own step list counts for everything after it, nested steps included; a guard nested in a block
 * ({@code filter}, {@code choice}, {@code doTry}, {@code split}, {@code pipeline}, ...) counts only for the steps after
 * it inside that same block, never after the block, even when every branch has one. Each route is checked on its own:
 * a sink in a route reached over {@code direct:} needs its guards in that route.
 */
public final class RouteGuards {
    /** Each sink step and the guard steps that must come before it. */
    public static final Map<String, List<String>> GUARDS = Map.of(
        "webhookSpool", List.of("webhookVerify"),
        "proxyForward", List.of("proxyAuthenticate", "proxyPolicy"),
        "taskDispatch", List.of("taskAuthenticate"));
    private static final Set<String> URI_STEPS = Set.of("to", "toD", "wireTap", "enrich", "pollEnrich");

    private final Set<String> known;

    /** @param known every step and bean name a {@code ref} may use */
    public RouteGuards(Set<String> known) {
        this.known = known;
    }

    /** Checks the definitions of one routes file; each problem names the route id. */
    public void check(JsonNode definitions, Consumer<String> problems) {
        for (JsonNode definition : definitions) {
            for (Map.Entry<String, JsonNode> field : definition.properties()) {
                JsonNode body = field.getValue();
                switch (field.getKey()) {
                    case "route" -> route(body, problems);
                    case "routeTemplate" -> route(body.path("route"), problems);
                    case "from" -> walk(body.path("steps"), new HashSet<>(), "(no id)", problems);
                    default -> nested(body, new HashSet<>(), "routeConfiguration " + body.path("id").asText(""),
                        problems);
                }
            }
        }
    }

    private void route(JsonNode route, Consumer<String> problems) {
        String id = route.path("id").asText("(no id)");
        Set<String> seen = new HashSet<>();
        walk(route.path("from").path("steps"), seen, id, problems);
        walk(route.path("steps"), seen, id, problems);
    }

    /** Walks one step list in order; {@code seen} holds the guards on every path to here and grows along it. */
    private void walk(JsonNode steps, Set<String> seen, String routeId, Consumer<String> problems) {
        if (!steps.isArray()) {
            return;
        }
        for (JsonNode step : steps) {
            for (Map.Entry<String, JsonNode> field : step.properties()) {
                String ref = ref(field.getKey(), field.getValue());
                if (ref != null) {
                    use(ref, seen, routeId, problems);
                }
                nested(field.getValue(), seen, routeId, problems);
            }
        }
    }

    /** Every step list inside a step's own block, each walked with a copy: its guards stay inside it. */
    private void nested(JsonNode node, Set<String> seen, String routeId, Consumer<String> problems) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (field.getKey().equals("steps")) {
                    walk(field.getValue(), new HashSet<>(seen), routeId, problems);
                } else {
                    nested(field.getValue(), seen, routeId, problems);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                nested(item, seen, routeId, problems);
            }
        }
    }

    private void use(String ref, Set<String> seen, String routeId, Consumer<String> problems) {
        if (!known.contains(ref)) {
            problems.accept("route " + routeId + ": step ref " + ref + " names no known step or bean");
            return;
        }
        List<String> guards = GUARDS.get(ref);
        if (guards != null) {
            List<String> missing = new ArrayList<>();
            for (String guard : guards) {
                if (!seen.contains(guard)) {
                    missing.add(guard);
                }
            }
            if (!missing.isEmpty()) {
                problems.accept("route " + routeId + ": " + ref + " is reached without " + String.join(" and ", missing)
                    + " before it on every path");
            }
        }
        seen.add(ref);
    }

    /** The step or bean name a step calls, if it calls one. */
    static String ref(String kind, JsonNode value) {
        if (kind.equals("process") || kind.equals("bean")) {
            return value.isTextual() ? value.asText() : value.hasNonNull("ref") ? value.get("ref").asText() : null;
        }
        if (URI_STEPS.contains(kind)) {
            String uri = value.isTextual() ? value.asText() : value.path("uri").asText("");
            if (uri.startsWith("bean:") || uri.startsWith("bean://")) {
                String name = uri.substring(uri.startsWith("bean://") ? 7 : 5);
                int end = name.indexOf('?');
                return end < 0 ? name : name.substring(0, end);
            }
        }
        return null;
    }

    /** The names the host binds for routes; each duty adds its own ({@link ApplicationModule#steps()}). */
    static final Set<String> HOST_NAMES = Set.of("captureRequest", "errorResponder", "prometheusScrape", "liveness",
        "readiness");

    /** The names Atlas binds for routes: the host's and those of every duty on the class path. */
    public static Set<String> knownNames() {
        Set<String> names = new HashSet<>(HOST_NAMES);
        Modules.present().forEach(module -> names.addAll(module.steps()));
        return Set.copyOf(names);
    }
}
