package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /auth/authorize} over HTTP: which requests reach the VCS, which are refused, and how. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizeIT {
    IdpHarness idp;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = IdpHarness.start(dir);
    }

    @AfterAll
    void stop() {
        idp.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "https://asgard.example/auth/callbackx",            // suffix
        "https://asgard.example/auth/callback/",            // trailing slash
        "https://asgard.example/auth/callback/../evil",     // extra path
        "https://asgard.example/auth/callback/extra",       // extra path
        "https://asgard.example/auth/call",                 // prefix
        "https://asgard.example/auth",                      // prefix
        "https://ASGARD.example/auth/callback",             // case of host
        "https://asgard.example/AUTH/callback",             // case of path
        "HTTPS://asgard.example/auth/callback",             // case of scheme
        "https://asgard.example%2Fauth%2Fcallback",         // encoded slashes (decoded once: still not equal)
        "https://asgard.example/auth/callback%23",          // encoded fragment
        "https://asgard.example/auth/callback#frag",        // fragment
        "https://asgard.example/auth/callback?x=1",         // extra query
        "https://asgard.example@evil.example/auth/callback", // userinfo@host
        "https://evil.example@asgard.example/auth/callback", // userinfo on the real host
        "https://asgard.example:8443/auth/callback",        // different port
        "https://asgard.example:443/auth/callback",         // explicit default port
        "http://asgard.example/auth/callback",              // downgraded scheme
        "https://asgard.example.evil.example/auth/callback", // suffix on the host
        "https://evil.example/auth/callback",               // another host
        " https://asgard.example/auth/callback",            // leading space
        "https://other.example/cb",                         // registered, but for another client
        "//asgard.example/auth/callback",                   // scheme-relative
    })
    void refusesAnUnregisteredRedirectUriWithA400PageAndNoRedirect(String redirectUri) {
        Map<String, String> params = IdpHarness.asgardRequest();
        params.put("redirect_uri", redirectUri);
        HttpResponse<String> response = new IdpHarness.Browser().get(idp.authorizeUrl(params));
        assertRefusedPage(response);
    }

    @Test
    void refusesADoubleEncodedRedirectUri() {
        // the raw query carries %253A: one decoding gives "https%3A//...", which is not the registered URI
        HttpResponse<String> response = new IdpHarness.Browser().get(idp.url("/auth/authorize?response_type=code"
            + "&client_id=asgard&state=s&app=gh&redirect_uri=https%253A%252F%252Fasgard.example%252Fauth%252Fcallback"));
        assertRefusedPage(response);
    }

    @Test
    void refusesARepeatedRedirectUriEvenWhenOneIsRegistered() {
        HttpResponse<String> response = new IdpHarness.Browser().get(idp.authorizeUrl(IdpHarness.asgardRequest())
            + "&redirect_uri=" + IdpHarness.enc("https://evil.example/"));
        assertRefusedPage(response);
    }

    @ParameterizedTest(name = "client_id={0}")
    @ValueSource(strings = {"unknown", "ASGARD", "asgard ", ""})
    void refusesAnUnknownClientWithA400Page(String clientId) {
        Map<String, String> params = IdpHarness.asgardRequest();
        params.put("client_id", clientId);
        assertRefusedPage(new IdpHarness.Browser().get(idp.authorizeUrl(params)));
    }

    @Test
    void escapesNothingOfTheRequestIntoTheRefusalPage() {
        Map<String, String> params = IdpHarness.asgardRequest();
        params.put("redirect_uri", "https://evil.example/<script>alert(1)</script>");
        HttpResponse<String> response = new IdpHarness.Browser().get(idp.authorizeUrl(params));
        assertRefusedPage(response);
        assertThat(response.body()).doesNotContain("<script>").doesNotContain("evil.example");
    }

    @Test
    void sendsAValidRequestToTheAppsVcsWithACallbackAndASealedStateBoundToACookie() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        HttpResponse<String> response = browser.get(idp.authorizeUrl(IdpHarness.asgardRequest()));
        assertThat(response.statusCode()).isEqualTo(302);
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
        Map<String, String> query = FakeVcsOAuthServer.parse(location.getRawQuery());
        assertThat(location.toString()).startsWith(idp.vcs.url() + "/login/oauth/authorize?");
        assertThat(query.get("redirect_uri")).isEqualTo(idp.url("/auth/callback/gh"));
        assertThat(query.get("client_id")).isEqualTo("vcs-client");
        // the state is a JWE (five parts) that shows nothing of the client's request
        assertThat(query.get("state").split("\\.")).hasSize(5);
        assertThat(query.get("state")).doesNotContain("client-state-1").doesNotContain("asgard");
        assertThat(response.headers().allValues("Set-Cookie")).singleElement().satisfies(cookie -> assertThat(cookie)
            .startsWith("__Host-atlas-login=").contains("HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=600")
            .doesNotContain("Domain="));
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "state missing                      | state |             | invalid_request",
        "response_type token                | response_type | token | unsupported_response_type",
        "unknown app                        | app   | nope        | invalid_request",
        "app without OAuth login            | app   | fake-main   | invalid_request",
        "code_challenge_method plain        | code_challenge_method | plain | invalid_request",
    })
    void redirectsOtherProblemsToTheVerifiedRedirectUriAsOAuthErrors(String name, String param, String value,
        String error) {
        Map<String, String> params = IdpHarness.asgardRequest();
        if (value == null) {
            params.remove(param);
        } else {
            params.put(param, value);
        }
        if (param.equals("code_challenge_method")) {
            params.put("code_challenge", "a-plain-challenge-that-is-long-enough-for-pkce-verifiers-1234");
        }
        HttpResponse<String> response = new IdpHarness.Browser().get(idp.authorizeUrl(params));
        assertThat(response.statusCode()).isEqualTo(302);
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(IdpHarness.ASGARD_REDIRECT + "?");
        Map<String, String> query = FakeVcsOAuthServer.parse(location.getRawQuery());
        assertThat(query.get("error")).isEqualTo(error);
        assertThat(query.get("iss")).isEqualTo(idp.url(""));
        if (params.containsKey("state")) {
            assertThat(query.get("state")).isEqualTo("client-state-1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "strict client without PKCE    | strict | https://strict.example/cb |   |",
        "public client without PKCE    | spa    | https://spa.example/cb    |   |",
        "challenge without a method (plain by default) | spa | https://spa.example/cb | 47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU | ",
        "plain method                  | spa    | https://spa.example/cb    | 47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU | plain",
        "S256 with a malformed challenge | spa  | https://spa.example/cb    | short | S256",
    })
    void refusesPkceProblems(String name, String client, String redirectUri, String challenge, String method) {
        Map<String, String> params = IdpHarness.asgardRequest();
        params.put("client_id", client);
        params.put("redirect_uri", redirectUri);
        if (challenge != null) {
            params.put("code_challenge", challenge);
        }
        if (method != null) {
            params.put("code_challenge_method", method);
        }
        HttpResponse<String> response = new IdpHarness.Browser().get(idp.authorizeUrl(params));
        assertThat(response.statusCode()).isEqualTo(302);
        String location = response.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(redirectUri + "?error=invalid_request");
        assertThat(idp.vcs.lastAuthorize().get("state")).isNotEqualTo(params.get("state"));
    }

    @Test
    void acceptsAPublicClientWithAnS256Challenge() {
        Map<String, String> params = IdpHarness.asgardRequest();
        params.put("client_id", "spa");
        params.put("redirect_uri", "https://spa.example/cb");
        params.put("code_challenge", IdpHarness.s256("a-verifier-of-at-least-forty-three-characters-0123456789"));
        params.put("code_challenge_method", "S256");
        HttpResponse<String> response = new IdpHarness.Browser().get(idp.authorizeUrl(params));
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location").orElseThrow()).startsWith(idp.vcs.url());
    }

    @Test
    void answersPromptNoneWithoutASessionWithLoginRequired() {
        Map<String, String> params = IdpHarness.asgardRequest();
        params.put("prompt", "none");
        HttpResponse<String> response = new IdpHarness.Browser().get(idp.authorizeUrl(params));
        assertThat(response.headers().firstValue("Location").orElseThrow())
            .startsWith(IdpHarness.ASGARD_REDIRECT + "?error=login_required");
    }

    static void assertRefusedPage(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Location")).isEmpty();
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
        assertThat(response.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(response.body()).contains("<h1>");
    }
}
