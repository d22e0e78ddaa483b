package dev.atlas.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.api.Secret;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.http.AtlasException;
import dev.atlas.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The cache of verified caller JWTs: served only until exp, never for a token that differs in any byte. */
class CloudAuthenticatorCacheTest {
    private static final String SECRET = "a-cloud-secret-long-enough-for-hs256-keys";
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(START);

    private CloudAuthenticator authenticator(int cacheEntries) {
        AtlasConfig.CloudAuth auth = new AtlasConfig.CloudAuth(Optional.of(Secret.of(SECRET)), Optional.empty(),
            Optional.of("runner-1"), Optional.empty());
        return new CloudAuthenticator(auth, clock, cacheEntries);
    }

    private static String token(String audience, String subject, Instant exp) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).audience(audience)
            .expirationTime(Date.from(exp)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static Optional<String> bearer(String token) {
        return Optional.of("Bearer " + token);
    }

    @Test
    void aVerifiedTokenIsRememberedAndRefusedOnceItsExpHasPassed() throws Exception {
        CloudAuthenticator auth = authenticator(16);
        String token = token("runner-1", "cloud", START.plus(Duration.ofMinutes(5)));
        assertThat(auth.authenticate(bearer(token)).getSubject()).isEqualTo("cloud");
        assertThat(auth.cachedTokens()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(4));
        assertThat(auth.authenticate(bearer(token)).getSubject()).isEqualTo("cloud");
        clock.advance(Duration.ofMinutes(2)); // one minute past exp, beyond the 30 s skew
        assertThatThrownBy(() -> auth.authenticate(bearer(token))).isInstanceOf(AtlasException.class)
            .hasMessageContaining("expired");
        assertThat(auth.cachedTokens()).isZero();
    }

    @Test
    void aTokenForAnotherAudienceIsNeverServedFromTheCache() throws Exception {
        CloudAuthenticator auth = authenticator(16);
        Instant exp = START.plus(Duration.ofMinutes(5));
        auth.authenticate(bearer(token("runner-1", "cloud", exp)));
        String other = token("runner-2", "cloud", exp);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> auth.authenticate(bearer(other))).isInstanceOf(AtlasException.class)
                .hasMessageContaining("aud");
        }
        assertThat(auth.cachedTokens()).isEqualTo(1);
    }

    @Test
    void theCacheStaysWithinItsBound() throws Exception {
        CloudAuthenticator auth = authenticator(3);
        for (int i = 0; i < 20; i++) {
            auth.authenticate(bearer(token("runner-1", "caller-" + i, START.plus(Duration.ofMinutes(5)))));
            assertThat(auth.cachedTokens()).isLessThanOrEqualTo(3);
        }
    }

    static Stream<Arguments> tamperings() {
        return Stream.of(
            Arguments.of("claims swapped for another audience, signature kept", (UnaryOperator<String>) t ->
                replacePart(t, 1, encode("{\"aud\":\"runner-2\",\"sub\":\"cloud\",\"exp\":" + exp() + "}"))),
            Arguments.of("claims with a later exp, signature kept", (UnaryOperator<String>) t ->
                replacePart(t, 1, encode("{\"aud\":\"runner-1\",\"sub\":\"cloud\",\"exp\":" + (exp() + 60) + "}"))),
            Arguments.of("one signature character changed", (UnaryOperator<String>) t ->
                t.substring(0, t.length() - 2) + (t.charAt(t.length() - 2) == 'A' ? 'B' : 'A') + t.charAt(t.length() - 1)),
            Arguments.of("signature dropped", (UnaryOperator<String>) t -> t.substring(0, t.lastIndexOf('.') + 1)),
            Arguments.of("header switched to none", (UnaryOperator<String>) t ->
                replacePart(t, 0, encode("{\"alg\":\"none\"}"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperings")
    void aTamperedCopyOfACachedTokenIsVerifiedAndRefused(String what, UnaryOperator<String> tamper) throws Exception {
        CloudAuthenticator auth = authenticator(16);
        String genuine = token("runner-1", "cloud", Instant.ofEpochSecond(exp()));
        auth.authenticate(bearer(genuine));
        String tampered = tamper.apply(genuine);
        assertThat(tampered).isNotEqualTo(genuine);
        assertThatThrownBy(() -> auth.authenticate(bearer(tampered))).isInstanceOf(AtlasException.class);
        assertThat(auth.cachedTokens()).isEqualTo(1);
    }

    private static long exp() {
        return START.plus(Duration.ofMinutes(5)).getEpochSecond();
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String replacePart(String token, int index, String part) {
        String[] parts = token.split("\\.", -1);
        parts[index] = part;
        return String.join(".", parts);
    }
}
