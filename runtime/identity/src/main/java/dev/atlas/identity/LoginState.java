package dev.atlas.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.core.keys.SealedTokens;
import dev.atlas.core.keys.TokenRejected;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * The {@code state} Atlas sends to the VCS: the client's authorization request (client, redirect URI, the client's
 * own state, PKCE challenge, scope, nonce), the app, and the hash of the browser's {@link Cookies#LOGIN} binding,
 * sealed (encrypted and authenticated) for {@value #TTL_MINUTES} minutes. The callback trusts the redirect URI only
 * because it comes out of a sealed state, and the login only when the browser presents the matching cookie.
 *
 * @param id a unique id, so a replayed callback is recognised
 */
record LoginState(String clientId, String redirectUri, String clientState, Optional<String> codeChallenge,
    String scope, Optional<String> nonce, String appId, String bindingHash, String id) {

    static final JOSEObjectType TYPE = new JOSEObjectType("atlas-login-state");
    static final int TTL_MINUTES = 10;
    static final Duration TTL = Duration.ofMinutes(TTL_MINUTES);

    String seal(SealedTokens sealed, Instant now) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
            .jwtID(id)
            .expirationTime(Date.from(now.plus(TTL)))
            .claim("client_id", clientId)
            .claim("redirect_uri", redirectUri)
            .claim("state", clientState)
            .claim("scope", scope)
            .claim("app", appId)
            .claim("binding", bindingHash);
        codeChallenge.ifPresent(c -> claims.claim("code_challenge", c));
        nonce.ifPresent(n -> claims.claim("nonce", n));
        return sealed.seal(TYPE, claims.build());
    }

    /** Opens a state sealed by {@link #seal}; rejects a changed, foreign or expired one. */
    static LoginState open(SealedTokens sealed, String token) throws TokenRejected {
        JWTClaimsSet claims = sealed.open(TYPE, token);
        try {
            LoginState state = new LoginState(claims.getStringClaim("client_id"), claims.getStringClaim("redirect_uri"),
                claims.getStringClaim("state"), Optional.ofNullable(claims.getStringClaim("code_challenge")),
                claims.getStringClaim("scope"), Optional.ofNullable(claims.getStringClaim("nonce")),
                claims.getStringClaim("app"), claims.getStringClaim("binding"), claims.getJWTID());
            if (state.clientId() == null || state.redirectUri() == null || state.clientState() == null
                || state.scope() == null || state.appId() == null || state.bindingHash() == null || state.id() == null) {
                throw new TokenRejected("incomplete state");
            }
            return state;
        } catch (ParseException e) {
            throw new TokenRejected("malformed state");
        }
    }
}
