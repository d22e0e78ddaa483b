package dev.atlas.core.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.text.ParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;

/**
 * JWTs that Atlas alone mints and Atlas alone verifies (the per-task git and proxy tokens), as HS256 under a key
 * derived for one purpose from the private part of a signing key ({@link SigningKeys}, {@code auth.signingKeys}).
 *
 * <p>Why a MAC and not RS256: nobody but Atlas ever verifies these tokens, so a public key buys nothing, and an RSA
 * signature costs a few milliseconds of CPU per task (the most expensive step of accepting one) where an HMAC costs
 * microseconds. What the RS256 tokens had is kept: the claims are checked as before ({@code iss}, {@code aud},
 * {@code exp}/{@code nbf}, {@code sub}, the JOSE {@code typ}); replicas that share the key folder derive the same
 * keys; the header's {@code kid} names the signing key the MAC key was derived from, so a rotation keeps earlier
 * tokens valid until that key's file is deleted, and a replica meets a new {@code kid} by re-reading the folder.
 * The algorithm is pinned (an RS256 token of the identity provider, a result token, {@code alg: none} or a MAC under
 * any other key fail), and each purpose has its own key, so a token made for one purpose never verifies for another.
 * The derived keys never leave the process and are never published: the JWKS holds public RSA keys only.
 * Not {@code runner.cloudSecret}: the cloud knows that one, and must not be able to mint a job's tokens.
 */
public final class MacTokens {
    private static final JWSAlgorithm ALGORITHM = JWSAlgorithm.HS256;
    private static final int MAX_CACHED_KEYS = 64;

    private final SigningKeys keys;
    private final String label;
    private final Map<String, byte[]> derived = new ConcurrentHashMap<>();

    /** @param label names the purpose, such as {@code atlas/git-token/v1} */
    public MacTokens(SigningKeys keys, String label) {
        this.keys = keys;
        this.label = label;
    }

    /** Signs {@code claims} under the key derived from the newest signing key; the header has {@code kid} and {@code typ}. */
    public String sign(JWTClaimsSet claims, JOSEObjectType type) {
        RSAKey signing = keys.signingKey();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(ALGORITHM).keyID(signing.getKeyID()).type(type).build(),
            claims);
        try {
            jwt.sign(new MACSigner(key(signing)));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }

    /**
     * Verifies a token of type {@code type} made by {@link #sign} (by this or another replica sharing the keys) and
     * returns its claims.
     *
     * @throws TokenRejected for anything else, with the reason (never the token)
     */
    public JWTClaimsSet verify(String jwt, JOSEObjectType type, JWTClaimsSetVerifier<SecurityContext> claims)
        throws TokenRejected {
        if (jwt == null || jwt.isEmpty()) {
            throw new TokenRejected("no token");
        }
        SignedJWT signed;
        try {
            signed = SignedJWT.parse(jwt);
        } catch (ParseException e) {
            throw new TokenRejected("not a JWT");
        }
        if (!ALGORITHM.equals(signed.getHeader().getAlgorithm())) {
            throw new TokenRejected("not signed with Atlas's " + ALGORITHM.getName() + " task-token keys");
        }
        Optional<RSAKey> source = Optional.ofNullable(signed.getHeader().getKeyID()).flatMap(keys::privateKey);
        if (source.isEmpty()) {
            throw new TokenRejected("signed with an unknown key");
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(type));
        // the key is chosen above by kid, the algorithm pinned here: never taken from the token's header alone
        processor.setJWSKeySelector(new SingleKeyJWSKeySelector<>(ALGORITHM,
            new SecretKeySpec(key(source.get()), "HmacSHA256")));
        processor.setJWTClaimsSetVerifier(claims);
        try {
            return processor.process(signed, null);
        } catch (BadJOSEException | JOSEException e) {
            // Nimbus's messages name the failed check (signature, expiry, audience...), never the token
            throw new TokenRejected(e.getMessage());
        }
    }

    /** The MAC key of this purpose for one signing key: the HMAC of the label under the key's private exponent. */
    private byte[] key(RSAKey signing) {
        byte[] known = derived.get(signing.getKeyID());
        if (known != null) {
            return known;
        }
        if (derived.size() >= MAX_CACHED_KEYS) {
            derived.clear(); // only after many rotations; deriving again costs one HMAC
        }
        byte[] key = DerivedMac.derive(signing.getPrivateExponent().decode(), label);
        derived.put(signing.getKeyID(), key);
        return key;
    }
}
