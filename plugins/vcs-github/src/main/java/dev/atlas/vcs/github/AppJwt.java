package dev.atlas.vcs.github;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.api.Secret;
import dev.atlas.api.vcs.CredentialException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Signs the short-lived JWT a GitHub App authenticates as itself with: RS256, {@code iss} = App ID, {@code iat} one
 * minute in the past (GitHub's advice against clock drift), {@code exp} nine minutes ahead (GitHub allows ten).
 */
final class AppJwt {
    static final Duration BACKDATE = Duration.ofSeconds(60);
    static final Duration LIFETIME = Duration.ofMinutes(9);

    private final String appId;
    private final RSASSASigner signer;
    private final Clock clock;

    AppJwt(GithubConfig config, Clock clock) {
        this.appId = config.appId();
        this.signer = new RSASSASigner(config.privateKey());
        this.clock = clock;
    }

    /** A fresh App JWT. */
    Secret mint() throws CredentialException {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
            .issuer(appId)
            .issueTime(Date.from(now.minus(BACKDATE)))
            .expirationTime(Date.from(now.plus(LIFETIME)))
            .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new CredentialException("could not sign the GitHub App JWT", false, e);
        }
        return Secret.of(jwt.serialize());
    }
}
