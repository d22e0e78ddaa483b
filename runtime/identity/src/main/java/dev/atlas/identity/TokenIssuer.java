package dev.atlas.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.core.keys.SigningKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Makes the token endpoint's answer: an access token (a JWT of type {@code at+jwt}, RFC 9068) and, with scope
 * {@code openid}, an ID token, both signed with the newest key of {@link SigningKeys}, {@code iss} = the issuer,
 * {@code aud} = the client, valid {@value #TTL_MINUTES} minutes. Both carry the user's claims, so userinfo answers
 * from the access token alone, on any replica.
 */
final class TokenIssuer {
    static final int TTL_MINUTES = 15;
    static final Duration TTL = Duration.ofMinutes(TTL_MINUTES);
    /** The access token's {@code typ}: an ID token or any other JWT of these keys never passes as one. */
    static final JOSEObjectType ACCESS_TOKEN = new JOSEObjectType("at+jwt");

    private final String issuer;
    private final SigningKeys keys;
    private final Clock clock;

    TokenIssuer(String issuer, SigningKeys keys, Clock clock) {
        this.issuer = issuer;
        this.keys = keys;
        this.clock = clock;
    }

    /** The RFC 6749 §5.1 answer for a login of {@code identity} by {@code clientId}. */
    Map<String, Object> answer(String clientId, Identity identity, String scope, Instant authTime,
        Optional<String> nonce, Optional<String> refreshToken) {
        Instant now = clock.instant();
        Date issued = Date.from(now);
        Date expires = Date.from(now.plus(TTL));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("access_token", keys.sign(identity.addTo(new JWTClaimsSet.Builder())
            .issuer(issuer)
            .audience(clientId)
            .issueTime(issued)
            .expirationTime(expires)
            .jwtID(UUID.randomUUID().toString())
            .claim("client_id", clientId)
            .claim("scope", scope)
            .claim("auth_time", authTime.getEpochSecond())
            .build(), ACCESS_TOKEN));
        answer.put("token_type", "Bearer");
        answer.put("expires_in", TTL.toSeconds());
        answer.put("scope", scope);
        if (Scopes.has(scope, "openid")) {
            JWTClaimsSet.Builder id = identity.addTo(new JWTClaimsSet.Builder())
                .issuer(issuer)
                .audience(clientId)
                .issueTime(issued)
                .expirationTime(expires)
                .claim("auth_time", authTime.getEpochSecond());
            nonce.ifPresent(n -> id.claim("nonce", n));
            answer.put("id_token", keys.sign(id.build()));
        }
        refreshToken.ifPresent(t -> answer.put("refresh_token", t));
        return answer;
    }
}
