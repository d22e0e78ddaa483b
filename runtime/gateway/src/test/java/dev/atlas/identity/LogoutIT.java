package dev.atlas.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /auth/logout} as another site would abuse it: a bare link or a cross-site form must not sign a user out; the
 * confirmation page's POST, or a valid {@code id_token_hint}, does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogoutIT {
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

    IdpHarness idp;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = IdpHarness.start(dir);
    }

    @AfterAll
    void stop() {
        idp.close();
    }

    /** The hidden fields of the confirmation page, as a browser submits them. */
    static Map<String, String> hiddenFields(String html) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = HIDDEN.matcher(html);
        while (m.find()) {
            fields.put(m.group(1), m.group(2).replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&amp;", "&"));
        }
        return fields;
    }

    private IdpHarness.Browser signedIn() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        idp.signIn(browser, IdpHarness.asgardRequest());
        assertThat(browser.cookies).containsKey(Cookies.SESSION);
        return browser;
    }

    private void assertStillSignedIn(IdpHarness.Browser browser) {
        assertThat(browser.cookies).containsKey(Cookies.SESSION);
        assertThat(browser.get(idp.authorizeUrl(IdpHarness.asgardRequest())).headers().firstValue("Location")
            .orElseThrow()).startsWith(IdpHarness.ASGARD_REDIRECT + "?code=");
    }

    @Test
    void aBareLinkOnlyShowsAConfirmationPageAndSignsNobodyOut() {
        IdpHarness.Browser browser = signedIn();
        HttpResponse<String> page = browser.get(idp.url("/auth/logout?client_id=asgard&post_logout_redirect_uri="
            + IdpHarness.enc(IdpHarness.ASGARD_REDIRECT)));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(page.body()).contains("<form method=\"post\"").contains("name=\"csrf\"");
        assertThat(hiddenFields(page.body())).containsEntry("post_logout_redirect_uri", IdpHarness.ASGARD_REDIRECT);
        assertStillSignedIn(browser);
    }

    @Test
    void theConfirmedPostSignsOutAndGoesBackToTheRegisteredAddress() {
        IdpHarness.Browser browser = signedIn();
        HttpResponse<String> page = browser.get(idp.url("/auth/logout?client_id=asgard&post_logout_redirect_uri="
            + IdpHarness.enc(IdpHarness.ASGARD_REDIRECT) + "&state=bye"));
        HttpResponse<String> done = browser.post(idp.url("/auth/logout"), hiddenFields(page.body()), "Origin",
            idp.url("").replaceAll("/$", ""));
        assertThat(done.statusCode()).isEqualTo(302);
        assertThat(done.headers().firstValue("Location")).hasValue(IdpHarness.ASGARD_REDIRECT + "?state=bye");
        assertThat(browser.cookies).doesNotContainKey(Cookies.SESSION);
    }

    @Test
    void aCrossSiteFormWithoutTheCsrfTokenChangesNothing() {
        IdpHarness.Browser browser = signedIn();
        HttpResponse<String> forged = browser.post(idp.url("/auth/logout"), Map.of("client_id", "asgard"));
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.headers().allValues("Set-Cookie")).isEmpty();
        assertStillSignedIn(browser);
    }

    @Test
    void aCsrfTokenTakenFromAnotherBrowserDoesNotWork() {
        IdpHarness.Browser attacker = new IdpHarness.Browser();
        Map<String, String> attackersFields = hiddenFields(attacker.get(idp.url("/auth/logout")).body());
        IdpHarness.Browser victim = signedIn();
        HttpResponse<String> forged = victim.post(idp.url("/auth/logout"), attackersFields);
        assertThat(forged.statusCode()).isEqualTo(400);
        assertStillSignedIn(victim);
    }

    @Test
    void aPostFromAnotherOriginChangesNothingEvenWithAValidToken() {
        IdpHarness.Browser browser = signedIn();
        Map<String, String> fields = hiddenFields(browser.get(idp.url("/auth/logout")).body());
        HttpResponse<String> forged = browser.post(idp.url("/auth/logout"), fields, "Origin", "https://evil.example");
        assertThat(forged.statusCode()).isEqualTo(400);
        assertStillSignedIn(browser);
    }

    @Test
    void aTamperedOrRepeatedCsrfTokenChangesNothing() {
        IdpHarness.Browser browser = signedIn();
        Map<String, String> fields = new LinkedHashMap<>(hiddenFields(browser.get(idp.url("/auth/logout")).body()));
        String csrf = fields.get("csrf");
        fields.put("csrf", csrf.substring(0, csrf.length() - 4) + "AAAA");
        assertThat(browser.post(idp.url("/auth/logout"), fields).statusCode()).isEqualTo(400);
        assertThat(browser.post(idp.url("/auth/logout") + "?csrf=x", Map.of()).statusCode()).isEqualTo(400);
        assertStillSignedIn(browser);
    }

    @Test
    void aValidIdTokenHintSignsOutWithoutAConfirmation() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        IdpHarness.Login login = idp.signIn(browser, IdpHarness.asgardRequest());
        String idToken = IdpHarness.json(idp.redeem(login.code())).get("id_token").asText();
        HttpResponse<String> done = browser.get(idp.url("/auth/logout?id_token_hint=" + IdpHarness.enc(idToken)
            + "&post_logout_redirect_uri=" + IdpHarness.enc(IdpHarness.ASGARD_REDIRECT)));
        assertThat(done.statusCode()).isEqualTo(302);
        assertThat(done.headers().firstValue("Location")).hasValue(IdpHarness.ASGARD_REDIRECT);
        assertThat(browser.cookies).doesNotContainKey(Cookies.SESSION);
    }

    @Test
    void anAccessTokenOrAForgedTokenAsHintOnlyShowsTheConfirmationPage() {
        IdpHarness.Browser browser = new IdpHarness.Browser();
        IdpHarness.Login login = idp.signIn(browser, IdpHarness.asgardRequest());
        String accessToken = IdpHarness.json(idp.redeem(login.code())).get("access_token").asText();
        String forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiYXVkIjoiYXNnYXJkIn0.";
        for (String hint : new String[] {accessToken, forged}) {
            HttpResponse<String> page = browser.get(idp.url("/auth/logout?id_token_hint=" + IdpHarness.enc(hint)));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("name=\"csrf\"");
        }
        assertStillSignedIn(browser);
    }
}
