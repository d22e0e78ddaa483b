package dev.atlas.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import dev.atlas.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The HS256 task tokens: only a MAC of this purpose under a key derived from Atlas's signing keys verifies. */
class MacTokensTest {
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final JOSEObjectType GIT = new JOSEObjectType("atlas-git+jwt");
    static final String LABEL = "atlas/git-token/v1";

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(START);
    SigningKeys keys;
    MacTokens tokens;

    @BeforeEach
    void open() throws Exception {
        keys = SigningKeys.open(dir.resolve("keys"), clock);
        tokens = new MacTokens(keys, LABEL);
    }

    private JWTClaimsSet claims(Duration valid) {
        return new JWTClaimsSet.Builder().issuer("https://atlas.example").audience("https://atlas.example/jobs")
            .subject("task-1").issueTime(Date.from(clock.instant()))
            .expirationTime(Date.from(clock.instant().plus(valid))).build();
    }

    private JWTClaimsSetVerifier<SecurityContext> verifier() {
        return keys.claimsVerifier("https://atlas.example", Set.of("https://atlas.example/jobs"), Set.of("sub"));
    }

    private JWTClaimsSet verify(String token) throws TokenRejected {
        return tokens.verify(token, GIT, verifier());
    }

    @Test
    void signsHs256WithTheSigningKeysKidAndItsTypeAndVerifiesItsOwnTokens() throws Exception {
        String token = tokens.sign(claims(Duration.ofMinutes(5)), GIT);
        JWSHeader header = SignedJWT.parse(token).getHeader();
        assertThat(header.getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(header.getKeyID()).isEqualTo(keys.signingKeyId());
        assertThat(header.getType()).isEqualTo(GIT);
        assertThat(verify(token).getSubject()).isEqualTo("task-1");
    }

    @Test
    void aReplicaSharingTheKeyFolderVerifiesTheOthersTokens() throws Exception {
        MacTokens other = new MacTokens(SigningKeys.read(dir.resolve("keys"), clock), LABEL);
        assertThat(verify(other.sign(claims(Duration.ofMinutes(5)), GIT)).getSubject()).isEqualTo("task-1");
    }

    @Test
    void keepsVerifyingATokenAfterARotationUntilItsKeyFileIsDeleted() throws Exception {
        String old = tokens.sign(claims(Duration.ofMinutes(30)), GIT);
        String oldKid = keys.signingKeyId();
        clock.advance(Duration.ofMinutes(1));
        String newKid = SigningKeys.rotate(dir.resolve("keys"), clock);
        keys.reload();
        String fresh = tokens.sign(claims(Duration.ofMinutes(5)), GIT);
        assertThat(SignedJWT.parse(fresh).getHeader().getKeyID()).isEqualTo(newKid);
        assertThat(verify(old).getSubject()).isEqualTo("task-1");

        Files.delete(dir.resolve("keys").resolve("signing-" + oldKid + ".json"));
        keys.reload();
        assertThatThrownBy(() -> verify(old)).isInstanceOf(TokenRejected.class);
        assertThat(verify(fresh).getSubject()).isEqualTo("task-1");
    }

    @Test
    void refusesAnExpiredToken() throws Exception {
        String token = tokens.sign(claims(Duration.ofMinutes(1)), GIT);
        clock.advance(Duration.ofSeconds(60 + 31));
        assertThatThrownBy(() -> verify(token)).isInstanceOf(TokenRejected.class).hasMessageContaining("xpired");
    }

    @Test
    void publishesNothingOfTheDerivedKeys() {
        assertThat(keys.publicJwks().getKeys()).allSatisfy(k -> {
            assertThat(k).isInstanceOf(RSAKey.class);
            assertThat(k.isPrivate()).isFalse();
        });
    }

    /** A way an attacker (or a mix-up) might present a token that is not this purpose's own. */
    interface Forgery {
        String make(MacTokensTest test) throws Exception;
    }

    static Stream<Arguments> forgeries() {
        return Stream.of(
            Arguments.of("a token of another purpose (the proxy token's key)", (Forgery) t ->
                new MacTokens(t.keys, "atlas/proxy-token/v1").sign(t.claims(Duration.ofMinutes(5)), GIT)),
            Arguments.of("a token of another Atlas's keys", (Forgery) t ->
                new MacTokens(SigningKeys.open(t.dir.resolve("other"), t.clock), LABEL)
                    .sign(t.claims(Duration.ofMinutes(5)), GIT)),
            Arguments.of("an RS256 token of the same keys (identity provider, result token)", (Forgery) t ->
                t.keys.sign(t.claims(Duration.ofMinutes(5)), GIT)),
            Arguments.of("another type", (Forgery) t ->
                t.tokens.sign(t.claims(Duration.ofMinutes(5)), new JOSEObjectType("atlas-proxy+jwt"))),
            Arguments.of("alg none", (Forgery) t -> Base64URL.encode("{\"alg\":\"none\",\"typ\":\"atlas-git+jwt\","
                + "\"kid\":\"" + t.keys.signingKeyId() + "\"}") + "."
                + Base64URL.encode(t.claims(Duration.ofMinutes(5)).toString()) + "."),
            Arguments.of("HS256 keyed with the published public key", (Forgery) t -> hs256(t, t.keys.signingKeyId(),
                ((RSAKey) t.keys.publicJwks().getKeys().get(0)).toPublicKey().getEncoded())),
            Arguments.of("HS256 keyed with the public modulus", (Forgery) t -> hs256(t, t.keys.signingKeyId(),
                ((RSAKey) t.keys.publicJwks().getKeys().get(0)).getModulus().decode())),
            Arguments.of("HS256 keyed with a shared secret the cloud knows", (Forgery) t -> hs256(t,
                t.keys.signingKeyId(), "bench-cloud-secret-long-enough-for-hs256".getBytes(StandardCharsets.UTF_8))),
            Arguments.of("an unknown kid", (Forgery) t -> hs256(t, "20990101T000000000Z-nothere",
                DerivedMac.derive(t.keys.signingKey().getPrivateExponent().decode(), LABEL))),
            Arguments.of("no kid", (Forgery) t -> hs256(t, null,
                DerivedMac.derive(t.keys.signingKey().getPrivateExponent().decode(), LABEL))),
            Arguments.of("the claims changed after signing", (Forgery) t -> {
                String[] parts = t.tokens.sign(t.claims(Duration.ofMinutes(5)), GIT).split("\\.");
                JWTClaimsSet other = new JWTClaimsSet.Builder(t.claims(Duration.ofMinutes(5))).subject("task-2").build();
                return parts[0] + "." + Base64URL.encode(other.toString()) + "." + parts[2];
            }),
            Arguments.of("not a JWT", (Forgery) t -> "not-a-jwt"),
            Arguments.of("empty", (Forgery) t -> ""));
    }

    private static String hs256(MacTokensTest t, String kid, byte[] key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).type(GIT).build(),
            t.claims(Duration.ofMinutes(5)));
        jwt.sign(new MACSigner(key.length >= 32 ? key : java.util.Arrays.copyOf(key, 32)));
        return jwt.serialize();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void refusesEveryTokenThatIsNotThisPurposesOwn(String attempt, Forgery forgery) throws Exception {
        String token = forgery.make(this);
        assertThatThrownBy(() -> verify(token)).isInstanceOf(TokenRejected.class)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token.isEmpty() ? "\u0000" : token));
    }

    @Test
    void derivesOneKeyPerPurposeAndSigningKey() throws Exception {
        JWK signing = keys.signingKey();
        byte[] git = DerivedMac.derive(((RSAKey) signing).getPrivateExponent().decode(), LABEL);
        byte[] proxy = DerivedMac.derive(((RSAKey) signing).getPrivateExponent().decode(), "atlas/proxy-token/v1");
        assertThat(git).hasSize(32).isNotEqualTo(proxy);
    }
}
