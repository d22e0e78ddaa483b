package dev.atlas.core.keys;

import dev.atlas.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(START);

    private Path folder() {
        return dir.resolve("keys");
    }

    private JWTClaimsSet claims(Duration valid) {
        return new JWTClaimsSet.Builder().issuer("https://atlas.example").audience("asgard").subject("task-1")
            .issueTime(Date.from(clock.instant())).expirationTime(Date.from(clock.instant().plus(valid))).build();
    }

    private JWTClaimsSetVerifier<SecurityContext> verifier(SigningKeys keys) {
        return keys.claimsVerifier("https://atlas.example", Set.of("asgard"), Set.of("sub"));
    }

    @Test
    void generatesOneOwnerOnlyKeyInAnOwnerOnlyFolderOnFirstOpen() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        assertThat(keys.keyIds()).hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder()))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(folder())) {
            List<Path> list = files.toList();
            assertThat(list).singleElement().satisfies(file -> {
                assertThat(file.getFileName().toString()).isEqualTo("signing-" + keys.signingKeyId() + ".json");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            });
        }
        assertThat(SigningKeys.open(folder(), clock).keyIds()).isEqualTo(keys.keyIds());
    }

    @Test
    void signsWithKidTypeAndRs256AndVerifiesItsOwnTokens() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        String jwt = keys.sign(claims(Duration.ofMinutes(5)));
        JWSHeader header = SignedJWT.parse(jwt).getHeader();
        assertThat(header.getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(header.getKeyID()).isEqualTo(keys.signingKeyId());
        assertThat(header.getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(keys.verify(jwt, verifier(keys)).getSubject()).isEqualTo("task-1");
    }

    @Test
    void publishesPublicPartsOnly() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        assertThat(keys.publicJwks().getKeys()).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
        assertThat(keys.publicJwks().toString()).doesNotContain("\"d\"");
    }

    @Test
    void rotationSignsWithTheNewKeyAndKeepsVerifyingTheOld() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        String old = keys.sign(claims(Duration.ofMinutes(30)));
        String oldKid = keys.signingKeyId();
        clock.advance(Duration.ofMinutes(1));
        String newKid = SigningKeys.rotate(folder(), clock);
        keys.reload();
        assertThat(keys.signingKeyId()).isEqualTo(newKid).isNotEqualTo(oldKid);
        assertThat(keys.keyIds()).containsExactly(newKid, oldKid);
        assertThat(SignedJWT.parse(keys.sign(claims(Duration.ofMinutes(5)))).getHeader().getKeyID()).isEqualTo(newKid);
        assertThat(keys.verify(old, verifier(keys)).getSubject()).isEqualTo("task-1");
    }

    @Test
    void aRunningInstancePicksUpARotationWithinTheRefreshInterval() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        String newKid = SigningKeys.rotate(folder(), new MutableClock(START.plusSeconds(60)));
        clock.advance(Duration.ofSeconds(SigningKeys.REFRESH_SECONDS + 1));
        assertThat(keys.signingKeyId()).isEqualTo(newKid);
    }

    @Test
    void verifiesATokenOfAKeyAddedByAnotherReplicaAtOnce() throws Exception {
        SigningKeys mine = SigningKeys.open(folder(), clock);
        SigningKeys.rotate(folder(), new MutableClock(START.plusSeconds(60)));
        SigningKeys other = SigningKeys.read(folder(), clock);
        clock.advance(Duration.ofSeconds(2));
        String jwt = other.sign(claims(Duration.ofMinutes(5)));
        assertThat(mine.verify(jwt, verifier(mine)).getSubject()).isEqualTo("task-1");
    }

    @Test
    void stopsVerifyingTokensOfAKeyWhoseFileWasDeleted() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        String old = keys.sign(claims(Duration.ofMinutes(30)));
        Files.delete(folder().resolve("signing-" + keys.signingKeyId() + ".json"));
        SigningKeys.rotate(folder(), clock);
        keys.reload();
        assertThatThrownBy(() -> keys.verify(old, verifier(keys))).isInstanceOf(TokenRejected.class);
    }

    @Test
    void refusesExpiredTokensAfterTheSkew() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        String jwt = keys.sign(claims(Duration.ofMinutes(1)));
        clock.advance(Duration.ofSeconds(60 + 31));
        assertThatThrownBy(() -> keys.verify(jwt, verifier(keys))).isInstanceOf(TokenRejected.class)
            .hasMessageContaining("xpired");
    }

    @Test
    void refusesAlgNoneAndHmacKeyedWithThePublicKey() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        String payload = Base64URL.encode(claims(Duration.ofMinutes(5)).toString()).toString();
        String none = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"" + keys.signingKeyId() + "\"}") + "." + payload
            + ".";
        assertThatThrownBy(() -> keys.verify(none, verifier(keys))).isInstanceOf(TokenRejected.class);

        RSAKey published = (RSAKey) keys.publicJwks().getKeys().get(0);
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(published.getKeyID()).build(),
            claims(Duration.ofMinutes(5)));
        hmac.sign(new MACSigner(published.toPublicKey().getEncoded()));
        assertThatThrownBy(() -> keys.verify(hmac.serialize(), verifier(keys))).isInstanceOf(TokenRejected.class);
    }

    @Test
    void refusesATokenOfAnotherTypeWhereATypeIsRequired() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        String jwt = keys.sign(claims(Duration.ofMinutes(5)));
        assertThatThrownBy(() -> keys.verify(jwt, new JOSEObjectType("at+jwt"), verifier(keys)))
            .isInstanceOf(TokenRejected.class);
    }

    @Test
    void refusesAFolderWithAKeyThatIsNotAnRsaPrivateKey() throws Exception {
        SigningKeys keys = SigningKeys.open(folder(), clock);
        Files.writeString(folder().resolve("public.json"), keys.publicJwks().getKeys().get(0).toJSONString());
        assertThatThrownBy(() -> SigningKeys.read(folder(), clock)).hasMessageContaining("not an RSA private key")
            .hasMessageNotContaining("\"n\"");
    }

    @Test
    void readsAJwksFileWithSeveralKeys() throws Exception {
        SigningKeys.open(folder(), clock);
        SigningKeys.rotate(folder(), clock);
        Path other = Files.createDirectories(dir.resolve("other"));
        StringBuilder keysJson = new StringBuilder("{\"keys\":[");
        try (Stream<Path> files = Files.list(folder())) {
            keysJson.append(String.join(",", files.filter(f -> f.toString().endsWith(".json")).map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList()));
        }
        Files.writeString(other.resolve("jwks.json"), keysJson.append("]}"));
        assertThat(SigningKeys.read(other, clock).keyIds()).hasSize(2);
    }
}
