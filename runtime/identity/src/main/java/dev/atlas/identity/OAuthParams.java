package dev.atlas.identity;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parameters of an OAuth request, from a query string or a form body ({@code application/x-www-form-urlencoded},
 * decoded once). Per RFC 6749 §3.1 a parameter sent without a value counts as absent, and a parameter sent twice is an
 * error the caller checks with {@link #repeated}.
 */
final class OAuthParams {
    private final Map<String, List<String>> values;

    private OAuthParams(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * Parses {@code raw} ({@code a=1&b=2}).
     *
     * @throws IllegalArgumentException when the percent-encoding is broken
     */
    static OAuthParams parse(String raw) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return new OAuthParams(values);
    }

    /** Parameters already decoded (by the HTTP server), each name with its values in order. */
    static OAuthParams of(Map<String, List<String>> decoded) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        decoded.forEach((k, v) -> values.put(k, List.copyOf(v)));
        return new OAuthParams(values);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** The value of {@code name}; empty when absent or sent without a value. */
    Optional<String> get(String name) {
        List<String> list = values.get(name);
        return list == null ? Optional.empty() : list.stream().filter(v -> !v.isEmpty()).findFirst();
    }

    /** Whether {@code name} was sent more than once. */
    boolean repeated(String name) {
        List<String> list = values.get(name);
        return list != null && list.size() > 1;
    }

    /** The first parameter sent more than once, if any. */
    Optional<String> anyRepeated() {
        return values.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).findFirst();
    }

    Set<String> names() {
        return values.keySet();
    }
}
