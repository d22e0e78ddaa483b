package dev.atlas.plugin.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a VCS API path the way a plugin's {@code ApiCredentials.target} needs to: which repository a proxied call is
 * about. Only plain paths are read. The path as a whole must be printable ASCII without {@code %} or {@code \}, start
 * with {@code /}, hold no empty, {@code .} or {@code ..} segment and be at most {@link #MAX_LENGTH} characters: a VCS
 * may decode or resolve any of those differently than a split on {@code /} does ({@code /repos/a/b/../../c/d} is
 * {@code c/d} to a server that resolves dot segments), so such a path names no repository at all. The policy refuses
 * these paths before any credential is looked at; this check keeps a plugin safe under a laxer admin policy too.
 */
public final class ApiPaths {
    /** Longest path read; a longer one names no repository. */
    public static final int MAX_LENGTH = 2048;
    private static final Pattern PLAIN_PATH = Pattern.compile("/[\\x21-\\x7e&&[^%\\\\]]*");
    /** What a captured segment (owner, repository, project key or id) may hold. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._~-]+");

    private ApiPaths() {
    }

    /**
     * The segments of a plain {@code path} ({@code /repos/acme/api} gives {@code repos, acme, api}); empty when the
     * path is not plain (see the class comment).
     */
    public static Optional<List<String>> segments(String path) {
        if (path == null || path.length() > MAX_LENGTH || !PLAIN_PATH.matcher(path).matches()) {
            return Optional.empty();
        }
        List<String> segments = List.of(path.substring(1).split("/", -1));
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.empty();
            }
        }
        return Optional.of(segments);
    }

    /**
     * Matches the leading segments of a plain {@code path} against {@code template}: a literal segment must be equal,
     * {@code {name}} captures a segment of {@code [A-Za-z0-9._~-]} that is not {@code .} or {@code ..}. Later segments
     * may be anything plain. {@code match("/repos/acme/api/pulls/7", "repos", "{owner}", "{repo}")} gives
     * {@code {owner=acme, repo=api}}.
     *
     * @return the captured segments by name, in template order; empty when the path is not plain or does not match
     */
    public static Optional<Map<String, String>> match(String path, String... template) {
        Optional<List<String>> segments = segments(path);
        if (segments.isEmpty() || segments.get().size() < template.length) {
            return Optional.empty();
        }
        Map<String, String> captured = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            String expected = template[i];
            String actual = segments.get().get(i);
            if (expected.startsWith("{") && expected.endsWith("}")) {
                if (!NAME.matcher(actual).matches()) {
                    return Optional.empty();
                }
                captured.put(expected.substring(1, expected.length() - 1), actual);
            } else if (!expected.equals(actual)) {
                return Optional.empty();
            }
        }
        return Optional.of(captured);
    }
}
