package dev.atlas.policies;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
        List<MediaTypes.MediaRange> defaultAccept = List.of();
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
            Map<String, List<String>> requestHeaders, byte[] body) {
        try {
            List<String> contentTypes = new ArrayList<>();
            if (requestHeaders != null) {
                for (Map.Entry<String, List<String>> header : requestHeaders.entrySet()) {
                    String name = header.getKey() == null ? "" : header.getKey().trim().toLowerCase(Locale.ROOT);
                    if (METHOD_OVERRIDE_HEADERS.contains(name)) {
                        return Decision.deny("method-override", "the method-override header " + Texts.clip(header.getKey(), 40)
                            + " is not allowed");
                    }
                    if (name.equals("content-type") && header.getValue() != null) {
                        contentTypes.addAll(header.getValue());
                    }
                }
            }
            if (method == null || !RestRule.METHODS.contains(method)) {
                return Decision.deny("default-deny", "method " + Texts.clip(method, 16) + " is not allowed");
            }
            List<String> segments = RestPath.segments(rawPath);
            List<String> parameters = QueryString.names(rawQuery);
            for (String parameter : parameters) {
                if (parameter.toLowerCase(Locale.ROOT).equals(BodyRule.METHOD_PARAMETER)) {
                    return Decision.deny("method-override", "the query parameter " + BodyRule.METHOD_PARAMETER
                        + " is never allowed");
                }
            }
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
            List<MediaTypes.MediaRange> ranges = MediaTypes.accepted(acceptHeaders);
            checkAccept(match, ranges);
            byte[] forwardBody = checkBody(match, segments, body, contentTypes);
            return Decision.allow(match.id(), match.response(), new Decision.Forward(forwardBody, MediaTypes.header(ranges)));
        } catch (Denial denial) {
            return denial.decision();
        }
    }

    private static void checkAccept(RestRule match, List<MediaTypes.MediaRange> ranges) {
        for (MediaTypes.MediaRange range : ranges) {
            boolean typeListed = false;
            boolean allowed = false;
            for (MediaTypes.MediaRange entry : match.accept()) {
                typeListed |= entry.type().equals(range.type());
                allowed |= range.allowedBy(entry);
            }
            if (!typeListed) {
                throw Denial.deny(match.id(), "media type " + Texts.clip(range.type(), 80) + " is not allowed by rule "
                    + match.id());
            }
            if (range.quoted()) {
                throw Denial.deny(MediaTypes.RULE, "quoted Accept parameters are not allowed");
            }
            if (!allowed) {
                throw Denial.deny(MediaTypes.RULE, "the Accept parameters of " + Texts.clip(range.text(), 80)
                    + " are not allowed by rule " + match.id());
            }
        }
    }

    /** The body to forward: none for an empty body, else the checked JSON object re-serialised. */
    private static byte[] checkBody(RestRule match, List<String> segments, byte[] body, List<String> contentTypes) {
        if (body == null || body.length == 0) {
            return null;
        }
        if (match.body().isEmpty()) {
            throw Denial.deny(match.id(), "rule " + match.id() + " allows no request body");
        }
        ObjectNode json = WriteBody.parse(body, contentTypes);
        match.body().get().check(json, match.path().bind(segments), match.id());
        return WriteBody.serialise(json);
    }
}
