package dev.atlas.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.core.keys.SealedTokens;
import dev.atlas.core.keys.TokenRejected;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;

/**
 * The login session kept in the {@link Cookies#SESSION} cookie: who signed in, through which app, and when. Sealed
 * (encrypted and authenticated), so the cookie shows nothing of the user and cannot be forged or changed; it expires
 * {@code auth.sessionTtl} after the login. While it lives, {@code /auth/authorize} for the same app skips the VCS.
 */
record Session(Identity identity, Instant authTime) {
    static final JOSEObjectType TYPE = new JOSEObjectType("atlas-session");

    String seal(SealedTokens sealed, Instant expiresAt) {
        return sealed.seal(TYPE, identity.sealInto(new JWTClaimsSet.Builder())
            .issueTime(Date.from(authTime))
            .expirationTime(Date.from(expiresAt))
            .build());
    }

    static Session open(SealedTokens sealed, String token) throws TokenRejected {
        JWTClaimsSet claims = sealed.open(TYPE, token);
        try {
            if (claims.getIssueTime() == null) {
                throw new TokenRejected("incomplete session");
            }
            return new Session(Identity.from(claims), claims.getIssueTime().toInstant());
        } catch (ParseException e) {
            throw new TokenRejected("malformed session");
        }
    }
}
