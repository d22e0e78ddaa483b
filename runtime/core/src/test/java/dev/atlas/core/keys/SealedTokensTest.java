package dev.atlas.core.keys;

import dev.atlas.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SealedTokensTest {
    static final JOSEObjectType STATE = new JOSEObjectType("atlas-login-state");

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private String sealed(SealedTokens tokens) {
        return tokens.seal(STATE, new JWTClaimsSet.Builder().claim("secret", "client-state")
            .expirationTime(Date.from(clock.instant().plusSeconds(600))).build());
    }

    @Test
    void opensWhatItSealedAndHidesTheClaims() throws Exception {
        SealedTokens tokens = SealedTokens.open(dir, clock);
        String token = sealed(tokens);
        assertThat(token).doesNotContain("client-state");
        assertThat(tokens.open(STATE, token).getStringClaim("secret")).isEqualTo("client-state");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(SealedTokens.FILE))))
            .isEqualTo("rw-------");
    }

    @ParameterizedTest(name = "part {0}")
    @ValueSource(ints = {0, 2, 3, 4})
    void refusesAChangeInAnyPart(int part) throws Exception {
        SealedTokens tokens = SealedTokens.open(dir, clock);
        String[] parts = sealed(tokens).split("\\.", -1);
        char[] chars = parts[part].toCharArray();
        int at = chars.length / 2;
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        parts[part] = new String(chars);
        assertThatThrownBy(() -> tokens.open(STATE, String.join(".", parts))).isInstanceOf(TokenRejected.class);
    }

    @Test
    void refusesATokenOfAnotherPurpose() throws Exception {
        SealedTokens tokens = SealedTokens.open(dir, clock);
        assertThatThrownBy(() -> tokens.open(new JOSEObjectType("atlas-session"), sealed(tokens)))
            .isInstanceOf(TokenRejected.class);
    }

    @Test
    void refusesAnExpiredToken() throws Exception {
        SealedTokens tokens = SealedTokens.open(dir, clock);
        String token = sealed(tokens);
        clock.advance(Duration.ofSeconds(601));
        assertThatThrownBy(() -> tokens.open(STATE, token)).hasMessage("expired");
    }

    @Test
    void refusesATokenSealedWithAnotherFoldersKeyAndOpensOneOfTheSameFolder() throws Exception {
        String token = sealed(SealedTokens.open(dir, clock));
        assertThatThrownBy(() -> SealedTokens.open(dir.resolve("elsewhere"), clock).open(STATE, token))
            .isInstanceOf(TokenRejected.class);
        assertThat(SealedTokens.open(dir, clock).open(STATE, token).getStringClaim("secret")).isEqualTo("client-state");
    }
}
