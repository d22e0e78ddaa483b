package dev.atlas.policies;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One allowed REST call: method, path template, the media types it may be asked for (with the parameters they may
 * carry), the query parameters it may carry, the JSON body fields a write may send ({@code body}, absent: no body)
 * and what of the response comes back ({@link ResponseFilter}: {@code response.allow}, {@code redact}).
 */
record RestRule(String id, String method, PathTemplate path, List<MediaTypes.MediaRange> accept, Set<String> query,
        ResponseFilter response, Optional<BodyRule> body) {

    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern PARAMETER = Pattern.compile("[A-Za-z0-9_.\\[\\]-]{1,64}");

    static RestRule read(ConfigNode node, List<MediaTypes.MediaRange> defaultAccept) throws PolicyException {
        node.requireKeys("id", "method", "path", "accept", "query", "redact", "response", "body");
        ConfigNode idNode = node.required("id");
        String id = idNode.text();
        if (!ID.matcher(id).matches()) {
            throw idNode.error("must be lowercase letters, digits, '.', '_' or '-' (at most 64), got '" + Texts.clip(id, 80) + "'");
        }
        ConfigNode methodNode = node.required("method");
        String method = methodNode.text();
        if (!METHODS.contains(method)) {
            throw methodNode.error("must be one of GET, POST, PUT, PATCH, DELETE");
        }
        PathTemplate path = PathTemplate.parse(node.required("path"));
        List<MediaTypes.MediaRange> accept = defaultAccept;
        if (node.child("accept").isPresent()) {
            accept = readAccept(node.required("accept"));
        }
        if (accept.isEmpty()) {
            throw node.error("needs accept: a list of media types (or rest.accept as the default)");
        }
        Set<String> query = new LinkedHashSet<>();
        if (node.child("query").isPresent()) {
            for (ConfigNode item : node.required("query").items()) {
                String name = item.text();
                if (!PARAMETER.matcher(name).matches()) {
                    throw item.error("must be a query parameter name");
                }
                if (name.toLowerCase(java.util.Locale.ROOT).equals(BodyRule.METHOD_PARAMETER)) {
                    throw item.error(BodyRule.METHOD_PARAMETER + " can never be allowed");
                }
                query.add(name);
            }
        }
        List<String> redact = new ArrayList<>();
        if (node.child("redact").isPresent()) {
            for (ConfigNode item : node.required("redact").items()) {
                String redaction = item.text();
                try {
                    Redactor.compile(redaction);
                } catch (IllegalArgumentException e) {
                    throw item.error(e.getMessage());
                }
                redact.add(redaction);
            }
        }
        Optional<List<String>> allow = Optional.empty();
        if (node.child("response").isPresent()) {
            allow = Optional.of(readAllow(node.required("response").requireKeys("allow").required("allow")));
        }
        Optional<BodyRule> body = Optional.empty();
        if (node.child("body").isPresent()) {
            if (method.equals("GET")) {
                throw node.required("body").error("a GET rule takes no body");
            }
            body = Optional.of(BodyRule.read(node.required("body"), path));
        }
        return new RestRule(id, method, path, accept, Set.copyOf(query), ResponseFilter.of(allow, redact), body);
    }

    /** {@code response.allow}: JSON paths of {@link AllowList}, each checked here so that a typo fails at start-up. */
    private static List<String> readAllow(ConfigNode node) throws PolicyException {
        List<String> allow = new ArrayList<>();
        for (ConfigNode item : node.items()) {
            String path = item.text();
            try {
                AllowList.of(List.of(path));
            } catch (IllegalArgumentException e) {
                throw item.error(e.getMessage());
            }
            allow.add(path);
        }
        return List.copyOf(allow);
    }

    static List<MediaTypes.MediaRange> readAccept(ConfigNode node) throws PolicyException {
        List<MediaTypes.MediaRange> types = new ArrayList<>();
        for (ConfigNode item : node.items()) {
            MediaTypes.MediaRange type = MediaTypes.entry(item.text());
            if (type == null) {
                throw item.error("must be a media type like application/json or \"application/json; charset=utf-8\"");
            }
            types.add(type);
        }
        return List.copyOf(types);
    }
}
