package dev.atlas.policies;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The REST half of a policy: an ordered list of rules; a request no rule allows is denied. */
final class RestPolicy {

    /** Headers some servers and frameworks honour to run another method than the one that was checked. */
    static final Set<String> METHOD_OVERRIDE_HEADERS = Set.of("x-http-method-override", "x-method-override", "x-http-method");

    private final List<RestRule> rules;

    private RestPolicy(List<RestRule> rules) {
        this.rules = rules;
    }

    static RestPolicy none() {
        return new RestPolicy(List.of());
    }

    static RestPolicy read(ConfigNode node) throws PolicyException {
        node.requireKeys("accept", "rules");
        Set<String> defaultAccept = Set.of();
        if (node.child("accept").isPresent()) {
            defaultAccept = RestRule.readAccept(node.required("accept"));
        }
        List<RestRule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        if (node.child("rules").isPresent()) {
            for (ConfigNode item : node.required("rules").items()) {
                RestRule rule = RestRule.read(item, defaultAccept);
                if (!ids.add(rule.id())) {
                    throw item.error("rule id " + rule.id() + " is used twice");
                }
                rules.add(rule);
            }
        }
        return new RestPolicy(List.copyOf(rules));
    }

    List<RestRule> rules() {
        return rules;
    }

    Decision check(String method, String rawPath, String rawQuery, List<String> acceptHeaders,
            Map<String, List<String>> requestHeaders) {
        try {
            if (requestHeaders != null) {
                for (String header : requestHeaders.keySet()) {
                    if (header != null && METHOD_OVERRIDE_HEADERS.contains(header.trim().toLowerCase(Locale.ROOT))) {
                        return Decision.deny("method-override", "the method-override header " + Texts.clip(header, 40)
                            + " is not allowed");
                    }
                }
            }
            if (method == null || !RestRule.METHODS.contains(method)) {
                return Decision.deny("default-deny", "method " + Texts.clip(method, 16) + " is not allowed");
            }
            List<String> segments = RestPath.segments(rawPath);
            List<String> parameters = QueryString.names(rawQuery);
            RestRule match = null;
            for (RestRule rule : rules) {
                if (rule.method().equals(method) && rule.path().matches(segments)) {
                    match = rule;
                    break;
                }
            }
            if (match == null) {
                return Decision.deny("default-deny", "no rule allows " + method + " " + Texts.clip(rawPath, 200));
            }
            for (String parameter : parameters) {
                if (!match.query().contains(parameter)) {
                    return Decision.deny(match.id(), "query parameter '" + Texts.clip(parameter, 40) + "' is not allowed by rule "
                        + match.id());
                }
            }
            for (String type : MediaTypes.accepted(acceptHeaders)) {
                if (!match.accept().contains(type)) {
                    return Decision.deny(match.id(), "media type " + Texts.clip(type, 80) + " is not allowed by rule " + match.id());
                }
            }
            return Decision.allow(match.id(), match.response());
        } catch (Denial denial) {
            return denial.decision();
        }
    }
}
