package dev.atlas.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code body} of a write rule: the JSON fields a request body may carry, and the fields whose value must be the
 * path's own (a merge request's target project, a pull request's destination repository), so that a write can
 * neither set what the rule does not name nor point data at another repository.
 *
 * <pre>
 * body:
 *   fields: [title, source.branch.name, comments[].body, data[].value.*]
 *   equal: {destination.repository.full_name: "{workspace}/{repo_slug}"}
 * </pre>
 *
 * A field path is dotted member names; {@code name[]} is an array whose elements the next step applies to; a final
 * {@code *} allows any value. A named field without {@code *} holds a scalar, {@code null} or an array of scalars;
 * an object is allowed only where longer paths name its members. {@code _method} is never allowed, anywhere.
 */
final class BodyRule {

    private static final Pattern STEP = Pattern.compile("([A-Za-z0-9_-]{1,64})(\\[])?");
    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)}");
    /** Rails and other frameworks read the method to run from this parameter, wherever it is. */
    static final String METHOD_PARAMETER = "_method";

    private final Field root;
    private final Map<String, String> equal;

    private BodyRule(Field root, Map<String, String> equal) {
        this.root = root;
        this.equal = equal;
    }

    /** What one field path allows at its position. */
    private static final class Field {
        boolean scalar;
        boolean any;
        final Map<String, Field> members = new LinkedHashMap<>();
        Field elements;
    }

    static BodyRule read(ConfigNode node, PathTemplate path) throws PolicyException {
        node.requireKeys("fields", "equal");
        Field root = new Field();
        for (ConfigNode item : node.required("fields").items()) {
            add(root, item.text(), item);
        }
        Map<String, String> equal = new LinkedHashMap<>();
        if (node.child("equal").isPresent()) {
            ConfigNode map = node.required("equal");
            for (String key : map.keys()) {
                ConfigNode template = map.required(key);
                Field field = lookup(root, key);
                if (field == null || !field.scalar || key.contains("[]")) {
                    throw template.error("must be a scalar field listed in fields, without []");
                }
                Matcher variable = VARIABLE.matcher(template.text());
                while (variable.find()) {
                    if (!path.variables().contains(variable.group(1))) {
                        throw template.error("{" + variable.group(1) + "} is not a variable of the rule's path");
                    }
                }
                equal.put(key, template.text());
            }
        }
        return new BodyRule(root, Map.copyOf(equal));
    }

    private static void add(Field root, String path, ConfigNode item) throws PolicyException {
        String[] steps = path.split("\\.", -1);
        Field at = root;
        for (int i = 0; i < steps.length; i++) {
            if (steps[i].equals("*") && i == steps.length - 1 && i > 0) {
                at.any = true;
                return;
            }
            Matcher step = STEP.matcher(steps[i]);
            if (!step.matches()) {
                throw item.error("must be a field path like title, source.branch.name, comments[].body or data[].value.*");
            }
            if (step.group(1).toLowerCase(Locale.ROOT).equals(METHOD_PARAMETER)) {
                throw item.error(METHOD_PARAMETER + " can never be allowed");
            }
            at = at.members.computeIfAbsent(step.group(1), k -> new Field());
            if (step.group(2) != null) {
                if (at.elements == null) {
                    at.elements = new Field();
                }
                at = at.elements;
            }
        }
        at.scalar = true;
    }

    private static Field lookup(Field root, String path) {
        Field at = root;
        for (String step : path.split("\\.", -1)) {
            at = at.members.get(step);
            if (at == null) {
                return null;
            }
        }
        return at;
    }

    /** Denies (403) a body holding a field the rule does not name, or a constrained field that is not the path's own. */
    void check(ObjectNode body, Map<String, String> pathVariables, String ruleId) {
        forbidMethodParameter(body, ruleId);
        check(body, root, "", ruleId);
        for (Map.Entry<String, String> constraint : equal.entrySet()) {
            JsonNode value = body;
            for (String step : constraint.getKey().split("\\.")) {
                value = value == null || !value.isObject() ? null : value.get(step);
            }
            if (value == null || value.isMissingNode()) {
                continue;
            }
            String expected = expand(constraint.getValue(), pathVariables);
            String actual = value.isTextual() ? value.textValue() : value.isIntegralNumber() ? value.bigIntegerValue().toString()
                : null;
            if (!expected.equals(actual)) {
                throw Denial.deny(ruleId, "body field " + constraint.getKey() + " must be absent or " + Texts.clip(expected, 80)
                    + " (the path's own) under rule " + ruleId);
            }
        }
    }

    private static void check(JsonNode value, Field field, String where, String ruleId) {
        if (field.any) {
            return;
        }
        if (value.isObject()) {
            if (field.members.isEmpty()) {
                throw notAllowed(where.isEmpty() ? "an object" : "an object in " + where, ruleId);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> member = it.next();
                String name = where.isEmpty() ? member.getKey() : where + "." + member.getKey();
                Field child = field.members.get(member.getKey());
                if (child == null) {
                    throw notAllowed("field " + name, ruleId);
                }
                check(member.getValue(), child, name, ruleId);
            }
        } else if (value.isArray()) {
            Field elements = field.elements;
            if (elements == null && !field.scalar) {
                throw notAllowed("an array in " + where + " (an object is expected)", ruleId);
            }
            for (JsonNode element : value) {
                if (elements != null) {
                    check(element, elements, where + "[]", ruleId);
                } else if (!field.scalar || element.isContainerNode()) {
                    throw notAllowed((element.isContainerNode() ? "nested values in " : "an array in ") + where, ruleId);
                }
            }
        } else if (!field.scalar) {
            throw notAllowed("a plain value in " + where + " (an object is expected)", ruleId);
        }
    }

    private static void forbidMethodParameter(JsonNode value, String ruleId) {
        if (value.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> member = it.next();
                if (member.getKey().toLowerCase(Locale.ROOT).equals(METHOD_PARAMETER)) {
                    throw Denial.deny(ruleId, "the body field " + METHOD_PARAMETER + " is never allowed");
                }
                forbidMethodParameter(member.getValue(), ruleId);
            }
        } else if (value.isArray()) {
            value.forEach(element -> forbidMethodParameter(element, ruleId));
        }
    }

    private static String expand(String template, Map<String, String> variables) {
        Matcher variable = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (variable.find()) {
            variable.appendReplacement(out, Matcher.quoteReplacement(variables.getOrDefault(variable.group(1), "")));
        }
        variable.appendTail(out);
        return out.toString();
    }

    private static Denial notAllowed(String what, String ruleId) {
        return Denial.deny(ruleId, Texts.clip(what, 120) + " is not allowed in the body by rule " + ruleId);
    }
}
