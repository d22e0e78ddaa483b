package dev.atlas.identity;

import dev.atlas.core.http.InboundRequest;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The identity provider's cookies. Both are host-only ({@code __Host-} prefix: no {@code Domain}, {@code Path=/},
 * {@code Secure}), so they belong to the runner's own host and no sibling domain can set or read them;
 * {@code HttpOnly} keeps them from scripts, and {@code SameSite=Lax} sends them on the top-level redirect back from the
 * VCS but not on cross-site sub-requests.
 */
final class Cookies {
    /** The login session: a sealed token naming the signed-in VCS user. */
    static final String SESSION = "__Host-atlas-session";
    /** Binds a pending VCS login to the browser that started it (CSRF): the state holds a hash of its value. */
    static final String LOGIN = "__Host-atlas-login";

    private Cookies() {
    }

    /** The {@code Set-Cookie} value that sets {@code name} for {@code maxAge}. */
    static String set(String name, String value, Duration maxAge) {
        return name + "=" + value + "; Path=/; Max-Age=" + maxAge.toSeconds() + "; HttpOnly; Secure; SameSite=Lax";
    }

    /** The {@code Set-Cookie} value that deletes {@code name}. */
    static String clear(String name) {
        return name + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax";
    }

    /**
     * The value of cookie {@code name}. Empty when absent, and also when the browser sent it twice with different
     * values: that happens when someone planted a second cookie of the name, and neither can be trusted then.
     */
    static Optional<String> read(InboundRequest request, String name) {
        Set<String> found = new HashSet<>();
        for (String header : request.headers().allValues("Cookie")) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    found.add(pair.substring(eq + 1).trim());
                }
            }
        }
        return found.size() == 1 ? found.stream().filter(v -> !v.isEmpty()).findFirst() : Optional.empty();
    }
}
