package dev.atlas.identity;

import dev.atlas.identity.store.LoginStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The access codes handed to clients after a login: single use, valid {@value #TTL_SECONDS} seconds, each bound to the
 * client, redirect URI and PKCE challenge of its authorization request.
 *
 * <p>Kept in the {@link LoginStore} under the code's hash. The first presentation writes the refresh-token family it
 * starts into the record with the store's compare-and-set, so of two replicas presenting one code at the same moment
 * exactly one gets {@link Fresh}. A redeemed code stays known until it expires, so a second presentation is
 * recognised as a replay and revokes the family the first one started (RFC 6749 §4.1.2).
 */
final class AuthorizationCodes {
    static final int TTL_SECONDS = 60;
    /** The record field set on first presentation: the key of the refresh-token family it starts. */
    private static final String FAMILY = "family";

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

    /** A code presented again; {@code familyKey} is the key of the refresh-token family of its first presentation. */
    record Replayed(String familyKey) implements Redemption {
    }

    /** Unknown or expired. */
    record Unknown() implements Redemption {
    }

    private final LoginStore store;
    private final Clock clock;

    AuthorizationCodes(LoginStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Issues a new code for {@code grant}. */
    String issue(Grant grant) {
        String code = Opaque.random();
        if (!store.create(LoginStore.Kind.CODE, LoginRecords.key(code), LoginRecords.grant(grant),
            clock.instant().plusSeconds(TTL_SECONDS))) {
            throw new IllegalStateException("256 random bits collided with a stored code");
        }
        return code;
    }

    /** Presents {@code code}: the first presentation consumes it whatever the token request goes on to check. */
    Redemption redeem(String code) {
        String key = LoginRecords.key(code);
        // two reads at most: a lost compare-and-set means another presentation wrote its family in between
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<LoginStore.Entry> entry = store.get(LoginStore.Kind.CODE, key);
            if (entry.isEmpty() || !clock.instant().isBefore(entry.get().expiresAt())) {
                return new Unknown();
            }
            String used = entry.get().data().get(FAMILY);
            if (used != null) {
                return new Replayed(used);
            }
            String family = Opaque.random();
            Map<String, String> data = new HashMap<>(entry.get().data());
            data.put(FAMILY, RefreshTokens.familyKey(family));
            if (store.replace(LoginStore.Kind.CODE, key, entry.get().version(), data, entry.get().expiresAt())) {
                return new Fresh(LoginRecords.grant(entry.get().data()), family);
            }
        }
        return new Unknown();
    }
}
