package dev.atlas.core.idp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rotating refresh tokens (issued to confidential clients only). A login starts a family; each refresh uses the
 * presented token up and hands out the family's next one. Presenting a used token means two parties hold the family's
 * tokens, so the whole family is revoked (OAuth 2.0 Security BCP §4.14). A family ends {@code auth.sessionTtl} after the
 * login, however often it was refreshed.
 *
 * <p>In memory, per replica: refresh at the replica that issued the token (sticky sessions), and a restart ends every
 * family (clients sign in again). Access tokens already issued stay valid until their 15 minutes are up.
 */
final class RefreshTokens {
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    /** A login's refresh-token lineage. */
    record Family(String id, String clientId, Identity identity, String scope, Instant authTime, Instant expiresAt) {
    }

    private record Token(String family, boolean used) {
    }

    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Family> families = new ConcurrentHashMap<>();
    /** Revoked family ids, kept until the family would have ended; may name a family that never started. */
    private final Map<String, Instant> revoked = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration lifetime;
    private volatile Instant lastSweep;

    RefreshTokens(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetime = lifetime;
        this.lastSweep = clock.instant();
    }

    /**
     * Starts family {@code id} for a login and returns its first token.
     *
     * @throws OAuthError {@code invalid_grant} when the family was revoked already (its code was replayed)
     */
    String start(String id, String clientId, Identity identity, String scope, Instant authTime) throws OAuthError {
        sweep();
        Family family = new Family(id, clientId, identity, scope, authTime, authTime.plus(lifetime));
        synchronized (this) {
            if (revoked.containsKey(id)) {
                throw OAuthError.invalidGrant("authorization code already used");
            }
            families.put(id, family);
        }
        return next(family);
    }

    /**
     * Uses {@code token} up for {@code clientId} and returns its family with the family's next token.
     *
     * @param scope the scope the client asks for, which must be within the family's (checked before the token is
     *     used up, so a refused request leaves the token usable)
     * @throws OAuthError {@code invalid_grant} when the token is unknown, expired, of another client, revoked, or
     *     used already (which revokes its family); {@code invalid_scope} for a wider scope
     */
    Rotated rotate(String token, String clientId, Optional<String> scope) throws OAuthError {
        String handle = Opaque.hash(token);
        Family family;
        synchronized (this) {
            Token current = tokens.get(handle);
            family = current == null ? null : families.get(current.family());
            if (family == null || !clock.instant().isBefore(family.expiresAt())) {
                throw OAuthError.invalidGrant("refresh token unknown or expired");
            }
            if (current.used() || !family.clientId().equals(clientId)) {
                // a used token again, or another client holding it: it leaked, so end the whole login
                revoke(family.id());
                throw OAuthError.invalidGrant("refresh token already used or not issued to this client; "
                    + "the login is revoked");
            }
            if (scope.isPresent() && !Scopes.within(scope.get(), family.scope())) {
                throw OAuthError.invalidScope("scope exceeds what the login granted");
            }
            tokens.put(handle, new Token(family.id(), true));
        }
        return new Rotated(family, next(family));
    }

    /** A family and its newly issued token. */
    record Rotated(Family family, String token) {
    }

    /** Ends family {@code id} (also when it has not started yet) and every token of it. */
    synchronized void revoke(String id) {
        Family family = families.remove(id);
        revoked.put(id, family != null ? family.expiresAt() : clock.instant().plus(lifetime));
        tokens.values().removeIf(t -> t.family().equals(id) && !t.used());
        // used tokens stay, so that presenting one still fails as reuse rather than as unknown
    }

    boolean isRevoked(String id) {
        return revoked.containsKey(id);
    }

    private String next(Family family) {
        String token = Opaque.random();
        tokens.put(Opaque.hash(token), new Token(family.id(), false));
        return token;
    }

    /** Ids of families alive now (for tests and metrics). */
    Set<String> liveFamilies() {
        return Set.copyOf(families.keySet());
    }

    private void sweep() {
        Instant now = clock.instant();
        if (now.isAfter(lastSweep.plus(SWEEP_EVERY))) {
            lastSweep = now;
            synchronized (this) {
                families.values().removeIf(f -> !now.isBefore(f.expiresAt()));
                revoked.values().removeIf(until -> !now.isBefore(until));
                tokens.values().removeIf(t -> !families.containsKey(t.family()) && !revoked.containsKey(t.family()));
            }
        }
    }
}
