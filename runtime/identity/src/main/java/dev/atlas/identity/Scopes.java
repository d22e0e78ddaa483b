package dev.atlas.identity;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The scopes Atlas knows. Others are dropped from the grant (RFC 6749 §3.3 lets the server narrow a request) rather
 * than refused, so a client asking for more than it needs still signs in; the token answer's {@code scope} tells what
 * was granted. Every token carries all user claims whatever the scope: clients are configured by the admin, and the
 * cloud needs them all.
 */
final class Scopes {
    static final List<String> SUPPORTED = List.of("openid", "profile", "email");

    private Scopes() {
    }

    /** The known scopes of {@code requested} (space-separated), in a stable order, space-separated. */
    static String grant(String requested) {
        Set<String> asked = new LinkedHashSet<>(Arrays.asList(requested.trim().split(" +")));
        return String.join(" ", SUPPORTED.stream().filter(asked::contains).toList());
    }

    static boolean has(String scope, String name) {
        return Arrays.asList(scope.split(" ")).contains(name);
    }

    /** Whether every scope of {@code requested} is in {@code granted}. */
    static boolean within(String requested, String granted) {
        Set<String> allowed = Set.of(granted.split(" "));
        return Arrays.stream(requested.trim().split(" +")).allMatch(allowed::contains);
    }
}
