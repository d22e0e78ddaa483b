package dev.atlas.core.cloud;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.http.AtlasException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies the cloud's bearer JWTs ({@code cloud.auth}) for the VCS proxy and the task API. The algorithm comes
 * from the configured key alone: HS256 for {@code hmacSecret}, RS256 for an RSA {@code publicKey}, ES256 for an EC
 * P-256 one; a token naming any other algorithm ({@code none}, HS256 signed with the public key…) is refused.
 * {@code exp} is required and at most ten minutes away; {@code aud} must name {@code cloud.auth.audience} (required
 * by the config, so that a token the cloud signed for another runner never passes here); {@code iss} is checked when
 * configured.
 * Every refusal is a 401 whose message says what was wrong, never the token.
 *
 * <p>A token that verified is remembered (by its SHA-256, at most {@value #CACHE_ENTRIES} tokens) until its
 * {@code exp}, so the cloud's repeated use of one token costs one parse and one signature check; its claims are
 * still checked against the clock on every use.
 */
public final class CloudAuthenticator {
    static final Duration MAX_LIFETIME = Duration.ofMinutes(10);
    private static final Duration SKEW = Duration.ofSeconds(30);
    static final int CACHE_ENTRIES = 4096;

    private final Map<JWSAlgorithm, JWSVerifier> verifiers = new java.util.LinkedHashMap<>();
    private final Optional<String> audience;
    private final Optional<String> issuer;
    private final Clock clock;
    private final VerifiedTokenCache verified;

    public CloudAuthenticator(AtlasConfig.CloudAuth auth, Clock clock) {
        this(auth, clock, CACHE_ENTRIES);
    }

    CloudAuthenticator(AtlasConfig.CloudAuth auth, Clock clock, int cacheEntries) {
        this.verified = new VerifiedTokenCache(cacheEntries);
        this.audience = auth.audience();
        this.issuer = auth.issuer();
        this.clock = clock;
        try {
            if (auth.hmacSecret().isPresent()) {
                verifiers.put(JWSAlgorithm.HS256, new MACVerifier(auth.hmacSecret().get().bytes()));
            }
            if (auth.publicKeyPem().isPresent()) {
                JWK key = JWK.parseFromPEMEncodedObjects(auth.publicKeyPem().get());
                if (key instanceof RSAKey rsa) {
                    verifiers.put(JWSAlgorithm.RS256, new RSASSAVerifier(rsa.toRSAPublicKey()));
                } else if (key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
                    verifiers.put(JWSAlgorithm.ES256, new ECDSAVerifier(ec.toECPublicKey()));
                } else {
                    throw new IllegalArgumentException("cloud.auth.publicKey must be an RSA or EC P-256 key");
                }
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cloud.auth keys are unusable: " + e.getMessage(), e);
        }
    }

    /** Checks that {@code publicKey} is a usable PEM key; returns the problem, if any (for config validation). */
    public static Optional<String> checkPublicKey(String pem) {
        try {
            JWK key = JWK.parseFromPEMEncodedObjects(pem);
            if (key instanceof RSAKey || (key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve()))) {
                return Optional.empty();
            }
            return Optional.of("must be an RSA or EC P-256 public key");
        } catch (JOSEException e) {
            return Optional.of("is not a PEM public key");
        }
    }

    /**
     * Verifies the {@code Authorization} header value and returns the token's claims.
     *
     * @throws AtlasException 401 when the header is missing, malformed, or the token does not verify
     */
    public JWTClaimsSet authenticate(Optional<String> authorization) {
        String header = authorization.orElseThrow(() -> AtlasException.unauthorized("a bearer token is required"));
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            throw AtlasException.unauthorized("the Authorization header must be 'Bearer <token>'");
        }
        String token = header.substring(7).trim();
        VerifiedTokenCache.Key key = VerifiedTokenCache.keyOf(token);
        Optional<JWTClaimsSet> known = verified.get(key, clock.instant());
        if (known.isPresent()) {
            return checkClaims(known.get());
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw AtlasException.unauthorized("the bearer token is not a signed JWT");
        }
        JWSHeader jws = jwt.getHeader();
        JWSVerifier verifier = verifiers.get(jws.getAlgorithm());
        if (verifier == null || jws.getCriticalParams() != null && !jws.getCriticalParams().isEmpty()) {
            throw AtlasException.unauthorized("the token's algorithm is not accepted");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw AtlasException.unauthorized("the token's signature does not verify");
            }
            JWTClaimsSet claims = checkClaims(jwt.getJWTClaimsSet());
            // served from the cache while not expired, as checkClaims would judge it without the skew allowance
            Instant now = clock.instant();
            if (now.isBefore(claims.getExpirationTime().toInstant())) {
                verified.put(key, claims, claims.getExpirationTime().toInstant(), now);
            }
            return claims;
        } catch (JOSEException | ParseException e) {
            throw AtlasException.unauthorized("the token's signature does not verify");
        }
    }

    /** How many verified tokens are remembered (for tests). */
    int cachedTokens() {
        return verified.size();
    }

    private JWTClaimsSet checkClaims(JWTClaimsSet claims) {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw AtlasException.unauthorized("the token has no exp");
        }
        if (exp.toInstant().isBefore(now.minus(SKEW))) {
            throw AtlasException.unauthorized("the token has expired");
        }
        if (exp.toInstant().isAfter(now.plus(MAX_LIFETIME).plus(SKEW))) {
            throw AtlasException.unauthorized("the token's exp is more than 10 minutes away");
        }
        if (claims.getNotBeforeTime() != null && claims.getNotBeforeTime().toInstant().isAfter(now.plus(SKEW))) {
            throw AtlasException.unauthorized("the token is not valid yet");
        }
        if (audience.isPresent() && (claims.getAudience() == null || !claims.getAudience().contains(audience.get()))) {
            throw AtlasException.unauthorized("the token's aud does not name this runner");
        }
        if (issuer.isPresent() && !issuer.get().equals(claims.getIssuer())) {
            throw AtlasException.unauthorized("the token's iss is not the configured issuer");
        }
        return claims;
    }
}
