package dev.atlas.core.idp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The access codes handed to clients after a login: single use, valid {@value #TTL_SECONDS} seconds, each bound to the
 * client, redirect URI and PKCE challenge of its authorization request.
 *
 * <p>In memory, per replica: a code can be redeemed only at the replica that issued it (route {@code /auth/token} to
 * it with sticky sessions, or run one replica). A redeemed code stays known until it expires, so a second
 * presentation is recognised as a replay and revokes the refresh-token family the first one started (RFC 6749
 * §4.1.2).
 */
final class AuthorizationCodes {
    static final int TTL_SECONDS = 60;
    private static final Duration SWEEP_EVERY = Duration.ofSeconds(30);

    /** What a code stands for. */
    record Grant(String clientId, String redirectUri, Optional<String> codeChallenge, String scope,
        Optional<String> nonce, Identity identity, Instant authTime) {
    }

    /** The result of presenting a code. */
    sealed interface Redemption {
    }

    /**
     * First presentation of a live code. {@code family} is the id any refresh token issued for it must use: it is
     * fixed here, before tokens exist, so that a replay racing the first token request still revokes them.
     */
    record Fresh(Grant grant, String family) implements Redemption {
    }

    /** A code presented again; {@code family} is the refresh-token family of its first presentation. */
    record Replayed(String family) implements Redemption {
    }

    /** Unknown or expired. */
    record Unknown() implements Redemption {
    }

    private static final class Entry {
        final Grant grant;
        final Instant expiresAt;
        String family;

        Entry(Grant grant, Instant expiresAt) {
            this.grant = grant;
            this.expiresAt = expiresAt;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile Instant lastSweep;

    AuthorizationCodes(Clock clock) {
        this.clock = clock;
        this.lastSweep = clock.instant();
    }

    /** Issues a new code for {@code grant}. */
    String issue(Grant grant) {
        sweep();
        String code = Opaque.random();
        entries.put(Opaque.hash(code), new Entry(grant, clock.instant().plusSeconds(TTL_SECONDS)));
        return code;
    }

    /** Presents {@code code}: the first presentation consumes it whatever the token request goes on to check. */
    Redemption redeem(String code) {
        Entry entry = entries.get(Opaque.hash(code));
        if (entry == null || !clock.instant().isBefore(entry.expiresAt)) {
            return new Unknown();
        }
        synchronized (entry) {
            if (entry.family != null) {
                return new Replayed(entry.family);
            }
            entry.family = Opaque.random();
            return new Fresh(entry.grant, entry.family);
        }
    }

    int size() {
        return entries.size();
    }

    private void sweep() {
        Instant now = clock.instant();
        if (now.isAfter(lastSweep.plus(SWEEP_EVERY))) {
            lastSweep = now;
            entries.values().removeIf(e -> !now.isBefore(e.expiresAt));
        }
    }
}
