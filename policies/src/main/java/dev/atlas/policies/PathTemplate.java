package dev.atlas.policies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A REST path template such as {@code /repos/{owner}/{repo}/pulls/{number:int}}, matched segment by segment.
 *
 * <p>A variable matches exactly one segment: {@code {name}} one of {@code [A-Za-z0-9._-]+} (owner and repository
 * names, refs, {@code base...head}), {@code {name:int}} digits only, {@code {name:sha}} 4 to 64 hex digits. A value
 * ending in a representation suffix ({@code .diff}, {@code .patch}, {@code .raw}) never matches: some VCS web
 * endpoints honour such suffixes, and a policy must not depend on the API not doing so.
 */
final class PathTemplate {

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)(?::(int|sha))?}");
    private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9_~-][A-Za-z0-9._~-]*");
    private static final Pattern NAME_VALUE = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern INT_VALUE = Pattern.compile("[0-9]{1,19}");
    private static final Pattern SHA_VALUE = Pattern.compile("[0-9a-fA-F]{4,64}");
    private static final Pattern SUFFIX = Pattern.compile("(?i).*\\.(diff|patch|raw)");

    private final String text;
    private final List<Pattern> segments;
    /** The variable name of each segment, {@code null} for a literal. */
    private final List<String> names;

    private PathTemplate(String text, List<Pattern> segments, List<String> names) {
        this.text = text;
        this.segments = segments;
        this.names = names;
    }

    static PathTemplate parse(ConfigNode node) throws PolicyException {
        String text = node.text();
        if (!text.startsWith("/") || text.endsWith("/") || text.contains("//")) {
            throw node.error("must start with / and have no empty segments, got '" + Texts.clip(text, 80) + "'");
        }
        List<Pattern> segments = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String segment : text.substring(1).split("/")) {
            Matcher variable = VARIABLE.matcher(segment);
            if (variable.matches()) {
                String type = variable.group(2);
                if (names.contains(variable.group(1))) {
                    throw node.error("variable {" + variable.group(1) + "} is used twice");
                }
                segments.add(type == null ? NAME_VALUE : type.equals("int") ? INT_VALUE : SHA_VALUE);
                names.add(variable.group(1));
            } else if (LITERAL.matcher(segment).matches()) {
                segments.add(Pattern.compile(Pattern.quote(segment)));
                names.add(null);
            } else {
                throw node.error("segment '" + Texts.clip(segment, 40)
                    + "' must be a literal of [A-Za-z0-9._~-] or a variable {name}, {name:int}, {name:sha}");
            }
        }
        return new PathTemplate(text, List.copyOf(segments), java.util.Collections.unmodifiableList(names));
    }

    /** The names of the template's variables, in path order. */
    Set<String> variables() {
        Set<String> variables = new LinkedHashSet<>();
        for (String name : names) {
            if (name != null) {
                variables.add(name);
            }
        }
        return variables;
    }

    /** The value of each variable in a path this template {@link #matches}. */
    Map<String, String> bind(List<String> path) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < names.size() && i < path.size(); i++) {
            if (names.get(i) != null) {
                values.put(names.get(i), path.get(i));
            }
        }
        return values;
    }

    boolean matches(List<String> path) {
        if (path.size() != segments.size()) {
            return false;
        }
        for (int i = 0; i < path.size(); i++) {
            Pattern pattern = segments.get(i);
            String value = path.get(i);
            if (!pattern.matcher(value).matches()) {
                return false;
            }
            if (pattern == NAME_VALUE && SUFFIX.matcher(value).matches()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
