package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.AuthenticationSuccessResponse;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole login driven by an independent OAuth 2 / OpenID Connect client library (Nimbus OAuth 2.0 SDK): discovery,
 * an authentication request with PKCE and nonce, the browser's way through Atlas and the fake VCS, the token request,
 * ID-token validation against the published JWKS, userinfo and a refresh.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FullFlowIT {
    static final ClientID ASGARD = new ClientID("asgard");
    static final Secret SECRET = new Secret(IdpHarness.ASGARD_SECRET);
    static final URI CALLBACK = URI.create(IdpHarness.ASGARD_REDIRECT);

    IdpHarness idp;
    OIDCProviderMetadata provider;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = IdpHarness.start(dir);
        provider = OIDCProviderMetadata.resolve(new Issuer(idp.url("")));
    }

    @AfterAll
    void stop() {
        idp.close();
    }

    @Test
    void signsInThroughTheVcsAndIssuesTokensALibraryValidatesAgainstTheJwks() throws Exception {
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE,
            new Scope("openid", "profile", "email"), ASGARD, CALLBACK)
            .endpointURI(provider.getAuthorizationEndpointURI())
            .state(state)
            .nonce(nonce)
            .codeChallenge(verifier, CodeChallengeMethod.S256)
            .customParameter("app", "gh")
            .build();

        AuthorizationCode code = browse(request.toURI(), state);

        TokenResponse tokenResponse = OIDCTokenResponseParser.parse(new TokenRequest(provider.getTokenEndpointURI(),
            new ClientSecretBasic(ASGARD, SECRET), new AuthorizationCodeGrant(code, CALLBACK, verifier))
            .toHTTPRequest().send());
        assertThat(tokenResponse.indicatesSuccess()).as(() -> errorOf(tokenResponse)).isTrue();
        OIDCTokens tokens = ((OIDCTokenResponse) tokenResponse.toSuccessResponse()).getOIDCTokens();

        IDTokenValidator validator = new IDTokenValidator(provider.getIssuer(), ASGARD, JWSAlgorithm.RS256,
            provider.getJWKSetURI().toURL());
        IDTokenClaimsSet id = validator.validate(tokens.getIDToken(), nonce);
        assertThat(id.getSubject().getValue()).isEqualTo("fakeoauth:acme:gh:42");
        assertThat(id.getStringClaim("preferred_username")).isEqualTo("alice");
        assertThat(id.getStringClaim("installation")).isEqualTo("acme");
        assertThat(id.getAudience()).extracting(a -> a.getValue()).containsExactly("asgard");

        UserInfoResponse userInfoResponse = UserInfoResponse.parse(new UserInfoRequest(provider.getUserInfoEndpointURI(),
            tokens.getBearerAccessToken()).toHTTPRequest().send());
        assertThat(userInfoResponse.indicatesSuccess()).isTrue();
        UserInfo user = userInfoResponse.toSuccessResponse().getUserInfo();
        assertThat(user.getSubject()).isEqualTo(id.getSubject());
        assertThat(user.getEmailAddress()).isEqualTo("alice@example.com");
        assertThat(user.getEmailVerified()).isTrue();
        assertThat(user.getPreferredUsername()).isEqualTo("alice");
        assertThat(user.getName()).isEqualTo("Alice Liddell");
        assertThat(user.getStringClaim("vcs")).isEqualTo("fakeoauth");
        assertThat(user.getStringClaim("app")).isEqualTo("gh");

        TokenResponse refreshed = OIDCTokenResponseParser.parse(new TokenRequest(provider.getTokenEndpointURI(),
            new ClientSecretPost(ASGARD, SECRET), new RefreshTokenGrant(tokens.getRefreshToken()))
            .toHTTPRequest().send());
        assertThat(refreshed.indicatesSuccess()).as(() -> errorOf(refreshed)).isTrue();
        OIDCTokens next = ((OIDCTokenResponse) refreshed.toSuccessResponse()).getOIDCTokens();
        assertThat(next.getRefreshToken()).isNotEqualTo(tokens.getRefreshToken());
        assertThat(validator.validate(next.getIDToken(), null).getSubject()).isEqualTo(id.getSubject());
        BearerAccessToken access = next.getBearerAccessToken();
        assertThat(UserInfoResponse.parse(new UserInfoRequest(provider.getUserInfoEndpointURI(), access)
            .toHTTPRequest().send()).indicatesSuccess()).isTrue();
    }

    @Test
    void theLibraryRejectsAnIdTokenForAnotherNonce() throws Exception {
        State state = new State();
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid"),
            ASGARD, CALLBACK).endpointURI(provider.getAuthorizationEndpointURI()).state(state).nonce(new Nonce())
            .codeChallenge(verifier, CodeChallengeMethod.S256).customParameter("app", "gh").build();
        AuthorizationCode code = browse(request.toURI(), state);
        OIDCTokens tokens = ((OIDCTokenResponse) OIDCTokenResponseParser.parse(new TokenRequest(
            provider.getTokenEndpointURI(), new ClientSecretBasic(ASGARD, SECRET),
            new AuthorizationCodeGrant(code, CALLBACK, verifier)).toHTTPRequest().send()).toSuccessResponse())
            .getOIDCTokens();
        IDTokenValidator validator = new IDTokenValidator(provider.getIssuer(), ASGARD, JWSAlgorithm.RS256,
            provider.getJWKSetURI().toURL());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> validator.validate(tokens.getIDToken(), new Nonce()))
            .hasMessageContaining("nonce");
    }

    /** Follows the browser's redirects: Atlas → fake VCS → Atlas's callback → the client's redirect URI. */
    private AuthorizationCode browse(URI authorize, State state) throws Exception {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        HttpResponse<String> response = browser.get(authorize.toString());
        for (int hops = 0; hops < 3; hops++) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
            response = browser.get(response.headers().firstValue("Location").orElseThrow());
            if (response.headers().firstValue("Location").orElse("").startsWith(CALLBACK.toString())) {
                break;
            }
        }
        AuthenticationResponse answer = AuthenticationResponseParser.parse(
            URI.create(response.headers().firstValue("Location").orElseThrow()));
        assertThat(answer.indicatesSuccess()).isTrue();
        AuthenticationSuccessResponse success = answer.toSuccessResponse();
        assertThat(success.getState()).isEqualTo(state);
        assertThat(success.getIssuer()).isEqualTo(provider.getIssuer());
        return success.getAuthorizationCode();
    }

    private static String errorOf(TokenResponse response) {
        return response instanceof TokenErrorResponse error ? error.getErrorObject().toString() : "";
    }
}
