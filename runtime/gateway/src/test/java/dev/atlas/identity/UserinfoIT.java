package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.core.keys.SigningKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /auth/userinfo} over HTTP: the claims for a good access token, 401 for every kind of bad one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserinfoIT {
    IdpHarness idp;
    JsonNode tokens;
    SigningKeys atlasKeys;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = IdpHarness.start(dir);
        tokens = IdpHarness.json(idp.redeem(idp.signIn(new IdpHarness.Browser(), IdpHarness.asgardRequest()).code()));
        // the test reads Atlas's key folder to make tokens Atlas would sign, but with claims it would not
        atlasKeys = SigningKeys.read(idp.keys, Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        idp.close();
    }

    @Test
    void answersTheUsersClaimsForAValidAccessToken() {
        HttpResponse<String> response = idp.userinfo(tokens.get("access_token").asText());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = IdpHarness.json(response);
        assertThat(body.get("sub").asText()).isEqualTo("fakeoauth:acme:gh:42");
        assertThat(body.get("preferred_username").asText()).isEqualTo("alice");
        assertThat(body.get("name").asText()).isEqualTo("Alice Liddell");
        assertThat(body.get("email").asText()).isEqualTo("alice@example.com");
        assertThat(body.get("email_verified").asBoolean()).isTrue();
        assertThat(body.get("vcs").asText()).isEqualTo("fakeoauth");
        assertThat(body.get("app").asText()).isEqualTo("gh");
        assertThat(body.get("installation").asText()).isEqualTo("acme");
        assertThat(body.has("vcs_user_id")).isFalse();
    }

    @Test
    void answersPostToo() {
        HttpResponse<String> response = idp.atlas.send(HttpRequest.newBuilder(URI.create(idp.url("/auth/userinfo")))
            .header("Authorization", "Bearer " + tokens.get("access_token").asText())
            .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void challengesARequestWithoutToken() {
        HttpResponse<String> response = idp.atlas.get("/auth/userinfo");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"atlas\"");
    }

    @Test
    void refusesAnUnsignedAlgNoneToken() throws Exception {
        String header = b64("{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"" + atlasKeys.signingKeyId() + "\"}");
        String payload = b64(goodClaims(Instant.now().plusSeconds(600)).toString());
        assertInvalidToken(header + "." + payload + ".");
    }

    @ParameterizedTest(name = "HMAC key = public key as {0}")
    @ValueSource(strings = {"X.509 DER", "PEM", "JWK JSON", "modulus"})
    void refusesAnHs256TokenKeyedWithThePublicKey(String form) throws Exception {
        RSAKey published = (RSAKey) atlasKeys.publicJwks().getKeys().get(0);
        byte[] secret = switch (form) {
            case "X.509 DER" -> published.toPublicKey().getEncoded();
            case "PEM" -> ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                published.toPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.UTF_8);
            case "JWK JSON" -> published.toJSONString().getBytes(StandardCharsets.UTF_8);
            default -> published.getModulus().decode();
        };
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(published.getKeyID())
            .type(TokenIssuer.ACCESS_TOKEN).build(), goodClaims(Instant.now().plusSeconds(600)));
        forged.sign(new MACSigner(secret));
        assertInvalidToken(forged.serialize());
    }

    @Test
    void refusesATokenSignedByAnotherKeyWithAtlassKid() throws Exception {
        RSAKey foreign = new RSAKeyGenerator(2048).keyID(atlasKeys.signingKeyId()).generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(foreign.getKeyID())
            .type(TokenIssuer.ACCESS_TOKEN).build(), goodClaims(Instant.now().plusSeconds(600)));
        forged.sign(new RSASSASigner(foreign));
        assertInvalidToken(forged.serialize());
    }

    @Test
    void refusesAnExpiredToken() {
        assertInvalidToken(atlasKeys.sign(goodClaims(Instant.now().minusSeconds(120)), TokenIssuer.ACCESS_TOKEN));
    }

    @Test
    void refusesATokenOfAnotherIssuer() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder(goodClaims(Instant.now().plusSeconds(600)))
            .issuer("https://evil.example").build();
        assertInvalidToken(atlasKeys.sign(claims, TokenIssuer.ACCESS_TOKEN));
    }

    @Test
    void refusesATokenForAnUnknownAudience() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder(goodClaims(Instant.now().plusSeconds(600)))
            .audience("nobody").build();
        assertInvalidToken(atlasKeys.sign(claims, TokenIssuer.ACCESS_TOKEN));
    }

    @Test
    void refusesAnIdTokenUsedAsAccessToken() {
        assertInvalidToken(tokens.get("id_token").asText());
    }

    @Test
    void refusesATamperedAccessToken() throws Exception {
        SignedJWT original = SignedJWT.parse(tokens.get("access_token").asText());
        JWTClaimsSet changed = new JWTClaimsSet.Builder(original.getJWTClaimsSet()).subject("fakeoauth:acme:gh:1")
            .build();
        String[] parts = original.serialize().split("\\.");
        assertInvalidToken(parts[0] + "." + Base64URL.encode(changed.toString()) + "." + parts[2]);
    }

    private JWTClaimsSet goodClaims(Instant expiry) {
        return new JWTClaimsSet.Builder()
            .issuer(idp.url(""))
            .audience("asgard")
            .subject("fakeoauth:acme:gh:1")
            .issueTime(Date.from(expiry.minusSeconds(900)))
            .expirationTime(Date.from(expiry))
            .claim("client_id", "asgard")
            .claim("preferred_username", "mallory")
            .build();
    }

    private void assertInvalidToken(String token) {
        HttpResponse<String> response = idp.userinfo(token);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).get().asString()
            .startsWith("Bearer realm=\"atlas\", error=\"invalid_token\"");
        assertThat(response.body()).doesNotContain("mallory");
    }

    private static String b64(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
