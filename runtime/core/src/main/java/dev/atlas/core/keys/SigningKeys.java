package dev.atlas.core.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atlas's token signing keys: the RS256 key pairs in the folder {@code auth.signingKeys}. The newest key signs;
 * every key in the folder verifies and is published in {@link #publicJwks()}, so a rotation ({@link #rotate}, the
 * {@code atlas keys rotate} command) never breaks tokens signed before it. A key is retired by deleting its file.
 *
 * <p>Newest means the latest JWK {@code iat}, then the greatest {@code kid} (generated kids start with the creation time
 * in milliseconds).
 *
 * <p>RS256 because OpenID Connect Discovery requires it of every provider and it is the ID-token algorithm a client
 * expects when it registered none. Every token carries the {@code kid} of its key, and verification accepts RS256 from
 * these keys only: {@code alg: none}, HMAC algorithms (HS256 keyed with a public key) and foreign keys fail.
 *
 * <p>Several replicas share the folder (the same Kubernetes Secret or volume mounted on each). Each replica reads it at
 * start, looks again at most every {@value #REFRESH_SECONDS} seconds, and at once when it meets a {@code kid} it does
 * not know, so a key added by a rotation is picked up without a restart.
 *
 * <p>Private keys stay in memory and in {@code 0600} files: {@link #publicJwks()} holds public parts only and nothing
 * here logs key material.
 */
public final class SigningKeys {
    /** The one algorithm Atlas signs with and accepts. */
    public static final JWSAlgorithm ALGORITHM = JWSAlgorithm.RS256;
    static final int KEY_BITS = 2048;
    static final int REFRESH_SECONDS = 30;
    private static final Duration UNKNOWN_KID_RELOAD_GAP = Duration.ofSeconds(1);
    private static final int MAX_CLOCK_SKEW_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);
    private static final java.time.format.DateTimeFormatter KID_TIME = java.time.format.DateTimeFormatter
        .ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private final Path folder;
    private final Clock clock;
    private volatile Loaded loaded;

    /** The keys as read from the folder, newest first, with what is derived from them. */
    private record Loaded(List<RSAKey> keys, JWKSet publicSet, RSASSASigner signer, String listing, Instant readAt) {
    }

    private SigningKeys(Path folder, Clock clock) {
        this.folder = folder;
        this.clock = clock;
    }

    /**
     * Reads the keys in {@code folder}, first creating the folder and one key when it holds none.
     *
     * @throws IOException when the folder cannot be read or written, or a key file is not a usable RSA private key
     */
    public static SigningKeys open(Path folder, Clock clock) throws IOException {
        KeyFolder.ensure(folder);
        if (KeyFolder.readSigningKeys(folder).isEmpty()) {
            String kid = addKey(folder, clock);
            LOG.info("generated the first signing key {} in {}", kid, folder);
        }
        return read(folder, clock);
    }

    /**
     * Reads the keys in {@code folder} without creating anything.
     *
     * @throws IOException when the folder holds no key, cannot be read, or a key file is not a usable RSA private key
     */
    public static SigningKeys read(Path folder, Clock clock) throws IOException {
        SigningKeys keys = new SigningKeys(folder, clock);
        keys.reload();
        return keys;
    }

    /**
     * Adds a new signing key to {@code folder} (created when missing) and keeps the others: the new key signs from
     * the next read of the folder, the old ones keep verifying until their files are deleted.
     *
     * @return the new key's id
     */
    public static String rotate(Path folder, Clock clock) throws IOException {
        KeyFolder.ensure(folder);
        return addKey(folder, clock);
    }

    private static String addKey(Path folder, Clock clock) throws IOException {
        try {
            Instant now = clock.instant();
            RSAKey generated = new RSAKeyGenerator(KEY_BITS).generate();
            // the kid starts with the creation time in milliseconds: the JWK "iat" holds whole seconds only, and the
            // kid breaks the tie between keys made in the same second; the thumbprint part makes it unique
            String kid = KID_TIME.format(now) + "-" + generated.computeThumbprint().toString().substring(0, 16);
            RSAKey key = new RSAKey.Builder(generated)
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(ALGORITHM)
                .issueTime(Date.from(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
                .keyID(kid)
                .build();
            KeyFolder.writePrivate(folder, "signing-" + key.getKeyID() + ".json", key.toJSONString(), false);
            return key.getKeyID();
        } catch (JOSEException e) {
            throw new IOException("cannot generate an RSA key", e);
        }
    }

    /** Reads the folder again now. Keeps the keys it had when the folder holds none or a bad one. */
    public synchronized void reload() throws IOException {
        String listing = KeyFolder.listing(folder);
        List<RSAKey> keys = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JWK jwk : KeyFolder.readSigningKeys(folder)) {
            RSAKey key = checked(jwk);
            if (!ids.add(key.getKeyID())) {
                throw new IOException("two keys in " + folder + " have the id " + key.getKeyID());
            }
            keys.add(key);
        }
        if (keys.isEmpty()) {
            throw new IOException("no signing key in " + folder + " (run: atlas keys rotate --config FILE)");
        }
        keys.sort(Comparator.comparing(SigningKeys::issued).thenComparing(RSAKey::getKeyID).reversed());
        List<JWK> publicKeys = keys.stream().<JWK>map(RSAKey::toPublicJWK).toList();
        try {
            loaded = new Loaded(List.copyOf(keys), new JWKSet(publicKeys), new RSASSASigner(keys.get(0)), listing,
                clock.instant());
        } catch (JOSEException e) {
            throw new IOException("signing key " + keys.get(0).getKeyID() + " cannot sign", e);
        }
    }

    private RSAKey checked(JWK jwk) throws IOException {
        String name = jwk.getKeyID() == null ? "a key without kid" : "key " + jwk.getKeyID();
        if (!(jwk instanceof RSAKey rsa) || !rsa.isPrivate()) {
            throw new IOException(name + " in " + folder + " is not an RSA private key");
        }
        if (rsa.getKeyID() == null || rsa.getKeyID().isBlank()) {
            throw new IOException("a key in " + folder + " has no kid");
        }
        if (rsa.size() < KEY_BITS) {
            throw new IOException(name + " in " + folder + " is shorter than " + KEY_BITS + " bits");
        }
        if (rsa.getAlgorithm() != null && !ALGORITHM.equals(rsa.getAlgorithm())
            || rsa.getKeyUse() != null && !KeyUse.SIGNATURE.equals(rsa.getKeyUse())) {
            throw new IOException(name + " in " + folder + " is not an RS256 signing key");
        }
        return rsa;
    }

    private static Instant issued(RSAKey key) {
        return key.getIssueTime() == null ? Instant.EPOCH : key.getIssueTime().toInstant();
    }

    /** Signs {@code claims} as a JWT of type {@code JWT} with the newest key. */
    public String sign(JWTClaimsSet claims) {
        return sign(claims, JOSEObjectType.JWT);
    }

    /** Signs {@code claims} with the newest key; the header carries {@code alg}, {@code kid} and {@code typ}. */
    public String sign(JWTClaimsSet claims, JOSEObjectType type) {
        Loaded current = current();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(ALGORITHM).keyID(current.keys().get(0).getKeyID())
            .type(type).build(), claims);
        try {
            jwt.sign(current.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }

    /**
     * Verifies a JWT of type {@code JWT} (or without {@code typ}) and returns its claims.
     *
     * @param claims checks the claims, usually {@link #claimsVerifier}
     * @throws TokenRejected for anything but an RS256 signature of one of these keys with claims that pass
     */
    public JWTClaimsSet verify(String jwt, JWTClaimsSetVerifier<SecurityContext> claims) throws TokenRejected {
        return verify(jwt, new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null), claims);
    }

    /** Verifies a JWT whose header {@code typ} must be {@code type} (such as {@code at+jwt}) and returns its claims. */
    public JWTClaimsSet verify(String jwt, JOSEObjectType type, JWTClaimsSetVerifier<SecurityContext> claims)
        throws TokenRejected {
        return verify(jwt, new DefaultJOSEObjectTypeVerifier<>(type), claims);
    }

    private JWTClaimsSet verify(String jwt, DefaultJOSEObjectTypeVerifier<SecurityContext> type,
        JWTClaimsSetVerifier<SecurityContext> claims) throws TokenRejected {
        if (jwt == null || jwt.isEmpty()) {
            throw new TokenRejected("no token");
        }
        Loaded current = current();
        try {
            if (JWTParser.parse(jwt) instanceof SignedJWT signed && signed.getHeader().getKeyID() != null
                && current.publicSet().getKeyByKeyId(signed.getHeader().getKeyID()) == null) {
                current = reloadForUnknownKid(current);
            }
            DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
            processor.setJWSTypeVerifier(type);
            // the algorithm is pinned here, never taken from the token's header
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHM,
                new ImmutableJWKSet<>(current.publicSet())));
            processor.setJWTClaimsSetVerifier(claims);
            return processor.process(jwt, null);
        } catch (ParseException e) {
            throw new TokenRejected("not a JWT");
        } catch (BadJOSEException | JOSEException e) {
            // Nimbus's messages name the failed check (signature, expiry, audience...), never the token
            throw new TokenRejected(e.getMessage());
        }
    }

    /**
     * A claims check for {@link #verify}: {@code iss} equal to {@code issuer}, {@code aud} one of {@code audiences}
     * (any when null), {@code exp} and the {@code required} claims present, {@code exp} and {@code nbf} checked
     * against this instance's clock with 30 s of skew.
     */
    public JWTClaimsSetVerifier<SecurityContext> claimsVerifier(String issuer, Set<String> audiences,
        Set<String> required) {
        Set<String> all = new HashSet<>(required);
        all.add("exp");
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(audiences,
            new JWTClaimsSet.Builder().issuer(issuer).build(), all, null) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        verifier.setMaxClockSkew(MAX_CLOCK_SKEW_SECONDS);
        return verifier;
    }

    /** The newest key, the one that signs (for {@link MacTokens}, which derives its keys from it). */
    RSAKey signingKey() {
        return current().keys().get(0);
    }

    /**
     * The key of {@code kid}, reading the folder again (at most once a second) when it is unknown, as {@link #verify}
     * does; empty when there is none.
     */
    Optional<RSAKey> privateKey(String kid) {
        Loaded current = current();
        Optional<RSAKey> key = find(current, kid);
        return key.isPresent() ? key : find(reloadForUnknownKid(current), kid);
    }

    private static Optional<RSAKey> find(Loaded loaded, String kid) {
        return loaded.keys().stream().filter(k -> k.getKeyID().equals(kid)).findFirst();
    }

    /** The public parts of every key, newest first: what {@code /.well-known/jwks.json} serves. */
    public JWKSet publicJwks() {
        return current().publicSet();
    }

    /** The id of the key that signs now. */
    public String signingKeyId() {
        return current().keys().get(0).getKeyID();
    }

    /** The ids of every published key, newest first. */
    public List<String> keyIds() {
        return current().keys().stream().map(RSAKey::getKeyID).toList();
    }

    private Loaded current() {
        Loaded current = loaded;
        if (clock.instant().isAfter(current.readAt().plusSeconds(REFRESH_SECONDS))) {
            current = refreshWhenChanged(current);
        }
        return current;
    }

    private synchronized Loaded refreshWhenChanged(Loaded seen) {
        if (loaded != seen) {
            return loaded;
        }
        try {
            if (!KeyFolder.listing(folder).equals(seen.listing())) {
                reload();
                LOG.info("signing keys re-read from {}: {} signs, {} published", folder, signingKeyId(),
                    loaded.keys().size());
            } else {
                loaded = new Loaded(seen.keys(), seen.publicSet(), seen.signer(), seen.listing(), clock.instant());
            }
        } catch (IOException e) {
            // keep serving with the keys we have: a half-finished edit of the folder must not take the IdP down
            LOG.warn("cannot re-read signing keys from {}, keeping the loaded ones: {}", folder, e.getMessage());
            loaded = new Loaded(seen.keys(), seen.publicSet(), seen.signer(), seen.listing(), clock.instant());
        }
        return loaded;
    }

    private synchronized Loaded reloadForUnknownKid(Loaded seen) {
        // bounded: tokens with made-up kids must not turn into a folder read per request
        if (loaded == seen && clock.instant().isAfter(seen.readAt().plus(UNKNOWN_KID_RELOAD_GAP))) {
            Loaded stale = new Loaded(seen.keys(), seen.publicSet(), seen.signer(), seen.listing(), Instant.MIN);
            loaded = stale;
            return refreshWhenChanged(stale);
        }
        return loaded;
    }
}
