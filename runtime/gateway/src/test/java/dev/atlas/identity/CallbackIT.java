package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /auth/callback/{appId}} over HTTP: state and cookie checks, upstream failures, the session cookie. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallbackIT {
    IdpHarness idp;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = IdpHarness.start(dir);
    }

    @AfterAll
    void stop() {
        idp.close();
    }

    @AfterEach
    void healVcs() {
        idp.vcs.failTokenCalls(0);
    }

    @Test
    void redirectsToTheClientWithACodeItsStateAndTheIssuerAndSetsTheSessionCookie() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        HttpResponse<String> toCallback = idp.toCallback(browser, IdpHarness.asgardRequest());
        HttpResponse<String> back = browser.get(toCallback.headers().firstValue("Location").orElseThrow());
        assertThat(back.statusCode()).isEqualTo(302);
        URI location = URI.create(back.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(IdpHarness.ASGARD_REDIRECT + "?code=");
        Map<String, String> query = FakeVcsOAuthServer.parse(location.getRawQuery());
        assertThat(query).containsEntry("state", "client-state-1").containsEntry("iss", idp.url(""));
        assertThat(query.get("code")).hasSizeGreaterThanOrEqualTo(43);
        assertThat(back.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
            .startsWith("__Host-atlas-session=").contains("HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=28800")
            .doesNotContain("Domain=").doesNotContain("alice"));
        assertThat(back.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
            .startsWith("__Host-atlas-login=;").contains("Max-Age=0"));
        assertThat(back.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    }

    @Test
    void refusesACallbackWithoutTheLoginCookie() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        String callback = idp.toCallback(browser, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow();
        assertRefused(new IdpHarness.Browser().get(callback));
    }

    @Test
    void refusesACallbackWhoseCookieBelongsToAnotherLogin() {
        IdpHarness.Browser victim = new IdpHarness.Browser();
        String victimCallback = idp.toCallback(victim, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow();
        IdpHarness.Browser attacker = new IdpHarness.Browser();
        idp.toCallback(attacker, IdpHarness.asgardRequest());
        // the attacker's browser holds a login cookie, but of its own login: the victim's state is not bound to it
        assertRefused(attacker.get(victimCallback));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"flip a character", "drop the tag", "another token", "not a token", "empty"})
    void refusesATamperedState(String how) {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        URI callback = URI.create(idp.toCallback(browser, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow());
        Map<String, String> query = FakeVcsOAuthServer.parse(callback.getRawQuery());
        String state = query.get("state");
        String tampered = switch (how) {
            case "flip a character" -> state.substring(0, 60) + (state.charAt(60) == 'A' ? 'B' : 'A')
                + state.substring(61);
            case "drop the tag" -> state.substring(0, state.lastIndexOf('.') + 1);
            case "another token" -> "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
            case "not a token" -> "hello";
            default -> "";
        };
        assertRefused(browser.get(idp.url("/auth/callback/gh?code=" + query.get("code") + "&state="
            + IdpHarness.enc(tampered))));
    }

    @Test
    void refusesAReplayedCallback() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        String callback = idp.toCallback(browser, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow();
        String cookie = browser.cookies.get(Cookies.LOGIN);
        assertThat(browser.get(callback).statusCode()).isEqualTo(302);
        browser.cookies.put(Cookies.LOGIN, cookie);
        assertRefused(browser.get(callback));
    }

    @Test
    void refusesAStateOfOneAppArrivingAtAnotherAppsCallback() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        String callback = idp.toCallback(browser, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow();
        assertRefused(browser.get(callback.replace("/auth/callback/gh?", "/auth/callback/gh-beta?")));
    }

    @Test
    void refusesACallbackWithoutState() {
        assertRefused(new IdpHarness.Browser().get(idp.url("/auth/callback/gh?code=abc")));
    }

    @Test
    void showsA502PageWhenTheVcsRefusesTheCodeExchange() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        String callback = idp.toCallback(browser, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow();
        idp.vcs.failTokenCalls(500);
        HttpResponse<String> response = browser.get(callback);
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("Location")).isEmpty();
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
        assertThat(response.body()).contains("fakeoauth").contains("HTTP 500");
        assertThat(response.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(Cookies.SESSION));
    }

    @Test
    void tellsTheClientAccessDeniedWhenTheUserDeclinedAtTheVcs() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        URI callback = URI.create(idp.toCallback(browser, IdpHarness.asgardRequest()).headers().firstValue("Location")
            .orElseThrow());
        String state = FakeVcsOAuthServer.parse(callback.getRawQuery()).get("state");
        HttpResponse<String> response = browser.get(idp.url("/auth/callback/gh?error=access_denied&state="
            + IdpHarness.enc(state)));
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location").orElseThrow())
            .startsWith(IdpHarness.ASGARD_REDIRECT + "?error=access_denied").contains("state=client-state-1");
    }

    @Test
    void skipsTheVcsWhileTheSessionLivesAndGoesBackAfterLogout() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        idp.signIn(browser, IdpHarness.asgardRequest());
        HttpResponse<String> again = browser.get(idp.authorizeUrl(IdpHarness.asgardRequest()));
        assertThat(again.headers().firstValue("Location").orElseThrow()).startsWith(IdpHarness.ASGARD_REDIRECT + "?code=");

        HttpResponse<String> page = browser.get(idp.url("/auth/logout?client_id=asgard&post_logout_redirect_uri="
            + IdpHarness.enc(IdpHarness.ASGARD_REDIRECT) + "&state=bye"));
        HttpResponse<String> logout = browser.post(idp.url("/auth/logout"), LogoutIT.hiddenFields(page.body()));
        assertThat(logout.statusCode()).isEqualTo(302);
        assertThat(logout.headers().firstValue("Location")).hasValue(IdpHarness.ASGARD_REDIRECT + "?state=bye");
        assertThat(browser.cookies).doesNotContainKey(Cookies.SESSION);
        assertThat(browser.get(idp.authorizeUrl(IdpHarness.asgardRequest())).headers().firstValue("Location")
            .orElseThrow()).startsWith(idp.vcs.url());
    }

    @Test
    void refusesToRedirectAfterLogoutToAnUnregisteredAddress() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        HttpResponse<String> page = browser.get(idp.url(
            "/auth/logout?client_id=asgard&post_logout_redirect_uri=" + IdpHarness.enc("https://evil.example/")));
        HttpResponse<String> logout = browser.post(idp.url("/auth/logout"), LogoutIT.hiddenFields(page.body()));
        assertThat(logout.statusCode()).isEqualTo(400);
        assertThat(logout.headers().firstValue("Location")).isEmpty();
        assertThat(logout.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith(Cookies.SESSION + "=;"));
    }

    private static void assertRefused(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Location")).isEmpty();
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
        assertThat(response.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(Cookies.SESSION + "=e"));
    }
}
