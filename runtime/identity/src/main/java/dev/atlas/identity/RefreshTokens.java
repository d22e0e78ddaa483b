package dev.atlas.identity;

import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.identity.store.LoginStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Rotating refresh tokens (issued to confidential clients only). A login starts a family; each refresh uses the
 * presented token up and hands out the family's next one. Presenting a used token means two parties hold the family's
 * tokens, so the whole family is revoked (OAuth 2.0 Security BCP §4.14). A family ends {@code auth.sessionTtl} after the
 * login, however often it was refreshed.
 *
 * <p>A token is {@code <family id>.<256 random bits>}. The family is one {@link LoginStore} record under the hash of
 * its id, holding the hash of its current token and the hashes of the used ones; a refresh is a compare-and-set on
 * that record, so when two replicas are handed the same token at once, one rotates and the other finds the token
 * used and revokes the family. Revocation is a state of the record, seen by every replica sharing the store.
 */
final class RefreshTokens {
    private static final String STATE = "state";
    private static final String REVOKED = "revoked";
    private static final String CURRENT = "current";
    private static final String USED = "used";
    private static final int ATTEMPTS = 5;

    /** A login's refresh-token lineage; {@code key} is its store key. */
    record Family(String key, String clientId, Identity identity, String scope, Instant authTime, Instant expiresAt) {
    }

    /** A family and its newly issued token. */
    record Rotated(Family family, String token) {
    }

    private final LoginStore store;
    private final Clock clock;
    private final Duration lifetime;

    RefreshTokens(LoginStore store, Clock clock, Duration lifetime) {
        this.store = store;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** The store key of family {@code id}. */
    static String familyKey(String id) {
        return LoginRecords.key("refresh-family:" + id);
    }

    /**
     * Starts family {@code id} for a login and returns its first token.
     *
     * @throws OAuthError {@code invalid_grant} when the family was revoked already (its code was replayed)
     */
    String start(String id, String clientId, Identity identity, String scope, Instant authTime) throws OAuthError {
        String token = id + "." + Opaque.random();
        Map<String, String> data = LoginRecords.identity(identity);
        data.put("clientId", clientId);
        data.put("scope", scope);
        data.put("authTime", authTime.toString());
        data.put(CURRENT, LoginRecords.key(token));
        data.put(USED, "");
        if (!store.create(LoginStore.Kind.FAMILY, familyKey(id), data, authTime.plus(lifetime))) {
            throw OAuthError.invalidGrant("authorization code already used");
        }
        return token;
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
        int dot = token.indexOf('.');
        if (dot <= 0) {
            throw OAuthError.invalidGrant("refresh token unknown or expired");
        }
        String id = token.substring(0, dot);
        String key = familyKey(id);
        String presented = LoginRecords.key(token);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<LoginStore.Entry> entry = store.get(LoginStore.Kind.FAMILY, key);
            if (entry.isEmpty() || !clock.instant().isBefore(entry.get().expiresAt())
                || REVOKED.equals(entry.get().data().get(STATE))) {
                throw OAuthError.invalidGrant("refresh token unknown, expired or revoked");
            }
            Map<String, String> data = entry.get().data();
            boolean current = Opaque.same(presented, data.get(CURRENT));
            boolean used = Arrays.asList(data.getOrDefault(USED, "").split(",")).contains(presented);
            if (!current && !used) {
                // a made-up token naming a real family: refuse it, but it proves no leak, so the login stays
                throw OAuthError.invalidGrant("refresh token unknown, expired or revoked");
            }
            Family family = family(key, data, entry.get().expiresAt());
            if (used || !family.clientId().equals(clientId)) {
                // a used token again, or another client holding it: it leaked, so end the whole login
                revoke(key);
                throw OAuthError.invalidGrant("refresh token already used or not issued to this client; "
                    + "the login is revoked");
            }
            if (scope.isPresent() && !Scopes.within(scope.get(), family.scope())) {
                throw OAuthError.invalidScope("scope exceeds what the login granted");
            }
            String next = id + "." + Opaque.random();
            Map<String, String> rotated = new HashMap<>(data);
            rotated.put(CURRENT, LoginRecords.key(next));
            String before = data.getOrDefault(USED, "");
            rotated.put(USED, before.isEmpty() ? presented : before + "," + presented);
            if (store.replace(LoginStore.Kind.FAMILY, key, entry.get().version(), rotated,
                entry.get().expiresAt())) {
                return new Rotated(family, next);
            }
            // another replica rotated or revoked the family in between: look again (the token is used by now)
        }
        throw busy();
    }

    /** Ends the family stored under {@code key} (also when it has not started yet) and every token of it. */
    void revoke(String key) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<LoginStore.Entry> entry = store.get(LoginStore.Kind.FAMILY, key);
            if (entry.isEmpty()) {
                // not started yet (its code was replayed before the first token request finished): a tombstone
                if (store.create(LoginStore.Kind.FAMILY, key, Map.of(STATE, REVOKED), clock.instant().plus(lifetime))) {
                    return;
                }
                continue;
            }
            if (REVOKED.equals(entry.get().data().get(STATE))) {
                return;
            }
            Map<String, String> data = new HashMap<>(entry.get().data());
            data.put(STATE, REVOKED);
            data.remove(CURRENT);
            if (store.replace(LoginStore.Kind.FAMILY, key, entry.get().version(), data, entry.get().expiresAt())) {
                return;
            }
        }
        throw busy();
    }

    /** Whether family {@code id} is revoked. */
    boolean isRevoked(String id) {
        return store.get(LoginStore.Kind.FAMILY, familyKey(id))
            .map(e -> REVOKED.equals(e.data().get(STATE))).orElse(false);
    }

    private static Family family(String key, Map<String, String> data, Instant expiresAt) {
        return new Family(key, LoginRecords.required(data, "clientId"), LoginRecords.identity(data),
            LoginRecords.required(data, "scope"), Instant.parse(LoginRecords.required(data, "authTime")), expiresAt);
    }

    private static AtlasException busy() {
        return new AtlasException(ErrorKind.SERVICE_UNAVAILABLE, "the login store kept changing under this request");
    }
}
