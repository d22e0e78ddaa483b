package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /auth/token} over HTTP: grants, client authentication, PKCE, refresh rotation, error answers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenIT {
    static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more";
    static final String[] ASGARD = {"asgard", IdpHarness.ASGARD_SECRET};

    IdpHarness idp;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = IdpHarness.start(dir);
    }

    @AfterAll
    void stop() {
        idp.close();
    }

    private String code() {
        return idp.signIn(new IdpHarness.Browser(), IdpHarness.asgardRequest()).code();
    }

    @Test
    void issuesSignedAccessIdAndRefreshTokensForACodeWithNoStore() throws Exception {
        HttpResponse<String> response = idp.redeem(code());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        JsonNode body = IdpHarness.json(response);
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asInt()).isEqualTo(900);
        assertThat(body.get("scope").asText()).isEqualTo("openid profile email");
        assertThat(body.has("refresh_token")).isTrue();

        SignedJWT access = SignedJWT.parse(body.get("access_token").asText());
        assertThat(access.getHeader().getKeyID()).isNotBlank();
        assertThat(access.getHeader().getType().getType()).isEqualTo("at+jwt");
        assertThat(access.getJWTClaimsSet().getIssuer()).isEqualTo(idp.url(""));
        assertThat(access.getJWTClaimsSet().getAudience()).containsExactly("asgard");
        assertThat(access.getJWTClaimsSet().getExpirationTime().getTime()
            - access.getJWTClaimsSet().getIssueTime().getTime()).isEqualTo(900_000);

        SignedJWT id = SignedJWT.parse(body.get("id_token").asText());
        assertThat(id.getHeader().getKeyID()).isEqualTo(access.getHeader().getKeyID());
        assertThat(id.getJWTClaimsSet().getSubject()).isEqualTo("fakeoauth:acme:gh:42");
        assertThat(id.getJWTClaimsSet().getClaims()).containsEntry("preferred_username", "alice")
            .containsEntry("name", "Alice Liddell").containsEntry("email", "alice@example.com")
            .containsEntry("email_verified", true).containsEntry("vcs", "fakeoauth").containsEntry("app", "gh")
            .containsEntry("installation", "acme");
    }

    @Test
    void acceptsClientSecretPost() {
        HttpResponse<String> response = idp.token(Optional.empty(), Map.of("grant_type", "authorization_code",
            "code", code(), "redirect_uri", IdpHarness.ASGARD_REDIRECT, "client_id", "asgard",
            "client_secret", IdpHarness.ASGARD_SECRET));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void givesTheSameVcsUserDifferentSubjectsInDifferentInstallations() throws Exception {
        Map<String, String> beta = IdpHarness.asgardRequest();
        beta.put("app", "gh-beta");
        String betaCode = idp.signIn(new IdpHarness.Browser(), beta).code();
        String acmeSub = SignedJWT.parse(IdpHarness.json(idp.redeem(code())).get("id_token").asText())
            .getJWTClaimsSet().getSubject();
        JsonNode betaToken = IdpHarness.json(idp.redeem(betaCode));
        SignedJWT betaId = SignedJWT.parse(betaToken.get("id_token").asText());
        assertThat(betaId.getJWTClaimsSet().getSubject()).isEqualTo("fakeoauth:beta:gh-beta:42").isNotEqualTo(acmeSub);
        assertThat(betaId.getJWTClaimsSet().getStringClaim("preferred_username")).isEqualTo("alice");
    }

    @Test
    void issuesNoIdTokenWithoutScopeOpenid() {
        Map<String, String> params = IdpHarness.asgardRequest();
        params.put("scope", "profile email");
        JsonNode body = IdpHarness.json(idp.redeem(idp.signIn(new IdpHarness.Browser(), params).code()));
        assertThat(body.has("access_token")).isTrue();
        assertThat(body.has("id_token")).isFalse();
    }

    @Test
    void refusesAReplayedCodeAndRevokesTheRefreshTokenItsFirstUseIssued() {
        String code = code();
        JsonNode first = IdpHarness.json(idp.redeem(code));
        assertOAuthError(idp.redeem(code), 400, "invalid_grant");
        assertOAuthError(refresh(ASGARD, first.get("refresh_token").asText()), 400, "invalid_grant");
    }

    @Test
    void refusesACodeRedeemedByAnotherClient() {
        String code = code();
        assertOAuthError(idp.token(Optional.of(new String[] {"other", "other-secret"}), Map.of("grant_type",
            "authorization_code", "code", code, "redirect_uri", IdpHarness.ASGARD_REDIRECT)), 400, "invalid_grant");
    }

    @Test
    void refusesACodeWithAnotherRedirectUri() {
        assertOAuthError(idp.token(Optional.of(ASGARD), Map.of("grant_type", "authorization_code", "code", code(),
            "redirect_uri", "http://127.0.0.1:9/cb")), 400, "invalid_grant");
    }

    @Test
    void refusesAnUnknownCode() {
        assertOAuthError(idp.redeem("made-up-code"), 400, "invalid_grant");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "wrong secret (basic)     | asgard  | wrong  | basic",
        "unknown client (basic)   | nobody  | secret | basic",
        "wrong secret (post)      | asgard  | wrong  | post",
        "unknown client (post)    | nobody  | secret | post",
        "secret of another client | asgard  | other-secret | basic",
        "no credentials at all    | asgard  |        | none",
        "public client sending a secret | spa | anything | post",
    })
    void refusesBadClientCredentialsWith401InvalidClient(String name, String client, String secret, String how) {
        Map<String, String> form = new LinkedHashMap<>(Map.of("grant_type", "authorization_code", "code", "x",
            "redirect_uri", IdpHarness.ASGARD_REDIRECT));
        Optional<String[]> basic = Optional.empty();
        if (how.equals("basic")) {
            basic = Optional.of(new String[] {client, secret});
        } else if (how.equals("post")) {
            form.put("client_id", client);
            form.put("client_secret", secret);
        }
        HttpResponse<String> response = idp.token(basic, form);
        assertOAuthError(response, 401, "invalid_client");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"atlas\"");
    }

    @Test
    void refusesTwoClientAuthenticationMethodsAtOnce() {
        assertOAuthError(idp.token(Optional.of(ASGARD), Map.of("grant_type", "authorization_code", "code", "x",
            "client_secret", IdpHarness.ASGARD_SECRET)), 400, "invalid_request");
    }

    @Test
    void refusesABodyThatIsNotFormEncoded() {
        HttpResponse<String> response = idp.atlas.send(HttpRequest.newBuilder(URI.create(idp.url("/auth/token")))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"grant_type\":\"authorization_code\"}")).build());
        assertOAuthError(response, 400, "invalid_request");
    }

    @Test
    void refusesAnUnsupportedGrantType() {
        assertOAuthError(idp.token(Optional.of(ASGARD), Map.of("grant_type", "password", "username", "a",
            "password", "b")), 400, "unsupported_grant_type");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing verifier | ",
        "wrong verifier   | wrong-verifier-wrong-verifier-wrong-verifier-wrong",
        "the challenge itself as verifier (plain downgrade) | CHALLENGE",
    })
    void refusesAPkceCodeWithoutTheRightVerifier(String name, String verifier) {
        String code = pkceCode("strict", "https://strict.example/cb");
        Map<String, String> form = new LinkedHashMap<>(Map.of("grant_type", "authorization_code", "code", code,
            "redirect_uri", "https://strict.example/cb"));
        if (verifier != null) {
            form.put("code_verifier", verifier.equals("CHALLENGE") ? IdpHarness.s256(VERIFIER) : verifier);
        }
        assertOAuthError(idp.token(Optional.of(new String[] {"strict", "strict-secret"}), form), 400,
            "invalid_grant");
    }

    @Test
    void refusesAVerifierForACodeIssuedWithoutChallenge() {
        assertOAuthError(idp.token(Optional.of(ASGARD), Map.of("grant_type", "authorization_code", "code", code(),
            "redirect_uri", IdpHarness.ASGARD_REDIRECT, "code_verifier", VERIFIER)), 400, "invalid_grant");
    }

    @Test
    void givesAPublicClientWithTheRightVerifierTokensButNoRefreshToken() {
        String code = pkceCode("spa", "https://spa.example/cb");
        HttpResponse<String> response = idp.token(Optional.empty(), Map.of("grant_type", "authorization_code",
            "code", code, "redirect_uri", "https://spa.example/cb", "client_id", "spa", "code_verifier", VERIFIER));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(IdpHarness.json(response).has("refresh_token")).isFalse();
        assertThat(IdpHarness.json(response).has("id_token")).isTrue();
    }

    @Test
    void rotatesRefreshTokensAndRevokesTheFamilyWhenAnOldOneIsReused() {
        String first = IdpHarness.json(idp.redeem(code())).get("refresh_token").asText();
        HttpResponse<String> refreshed = refresh(ASGARD, first);
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        JsonNode body = IdpHarness.json(refreshed);
        String second = body.get("refresh_token").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(body.has("access_token")).isTrue();
        assertThat(body.has("id_token")).isTrue();

        assertOAuthError(refresh(ASGARD, first), 400, "invalid_grant");
        // the reuse revoked the family: the legitimate newest token is dead too
        assertOAuthError(refresh(ASGARD, second), 400, "invalid_grant");
    }

    @Test
    void refusesARefreshTokenPresentedByAnotherClient() {
        String token = IdpHarness.json(idp.redeem(code())).get("refresh_token").asText();
        assertOAuthError(refresh(new String[] {"other", "other-secret"}, token), 400, "invalid_grant");
        assertOAuthError(refresh(ASGARD, token), 400, "invalid_grant");
    }

    @Test
    void refusesARefreshWithAWiderScopeAndKeepsTheTokenUsable() {
        Map<String, String> params = IdpHarness.asgardRequest();
        params.put("scope", "openid");
        String token = IdpHarness.json(idp.redeem(idp.signIn(new IdpHarness.Browser(), params).code()))
            .get("refresh_token").asText();
        assertOAuthError(idp.token(Optional.of(ASGARD), Map.of("grant_type", "refresh_token", "refresh_token", token,
            "scope", "openid email")), 400, "invalid_scope");
        assertThat(refresh(ASGARD, token).statusCode()).isEqualTo(200);
    }

    private String pkceCode(String client, String redirectUri) {
        Map<String, String> params = IdpHarness.asgardRequest();
        params.put("client_id", client);
        params.put("redirect_uri", redirectUri);
        params.put("code_challenge", IdpHarness.s256(VERIFIER));
        params.put("code_challenge_method", "S256");
        return idp.signIn(new IdpHarness.Browser(), params).code();
    }

    private HttpResponse<String> refresh(String[] client, String token) {
        return idp.token(Optional.of(client), Map.of("grant_type", "refresh_token", "refresh_token", token));
    }

    static void assertOAuthError(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = IdpHarness.json(response);
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.has("error_description")).isTrue();
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    }
}
