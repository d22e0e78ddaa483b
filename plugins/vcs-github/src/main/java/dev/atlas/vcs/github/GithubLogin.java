package dev.atlas.vcs.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthClientSettings;
import dev.atlas.api.vcs.VcsUser;
import dev.atlas.plugin.support.OAuthCalls;
import dev.atlas.plugin.support.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * OAuth web flow against GitHub (OAuth App or GitHub App user authorization): authorize page, code exchange,
 * profile with the primary email. The user token is used for the two profile reads and then dropped.
 */
final class GithubLogin {
    static final String SCOPE = "read:user user:email";

    private final AppSettings app;
    private final OAuthClientSettings client;
    private final OAuthCalls<LoginException> calls;

    GithubLogin(AppSettings app, OAuthClientSettings client, HttpClient http) {
        this.app = app;
        this.client = client;
        this.calls = new OAuthCalls<>("GitHub", http, LoginException::new, LoginException::new);
    }

    URI authorizeUrl(URI callback, String state) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", client.clientId());
        query.put("redirect_uri", callback.toString());
        query.put("state", state);
        query.put("scope", SCOPE);
        return Upstream.withQuery(Upstream.join(app.webUrl(), "/login/oauth/authorize"), query);
    }

    VcsUser exchange(String code, URI callback) throws LoginException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", client.clientId());
        form.put("client_secret", client.clientSecret().reveal());
        form.put("code", code);
        form.put("redirect_uri", callback.toString());
        // GitHub reports a bad or expired code as 200 with an error object; OAuthCalls checks for one before the status.
        String token = calls.accessToken(HttpRequest.newBuilder(Upstream.join(app.webUrl(), "/login/oauth/access_token"))
            .POST(HttpRequest.BodyPublishers.ofString(Upstream.form(form))));
        return profile(token);
    }

    private VcsUser profile(String token) throws LoginException {
        Upstream.Reply user = calls.send(api("/user", token), "the profile request");
        if (!user.ok()) {
            throw new LoginException("GitHub answered " + user.status() + " to the profile request");
        }
        JsonNode u = user.json();
        if (!u.path("id").canConvertToLong() || u.path("login").asText("").isEmpty()) {
            throw new LoginException("GitHub's profile has no id or login");
        }
        Optional<String> name = Upstream.text(u.path("name"));
        Upstream.Reply emails = calls.send(api("/user/emails", token), "the email request");
        Optional<String> email = Optional.empty();
        boolean verified = false;
        if (emails.ok()) {
            for (JsonNode e : emails.json()) {
                if (e.path("primary").asBoolean(false)) {
                    email = Upstream.text(e.path("email"));
                    verified = email.isPresent() && e.path("verified").asBoolean(false);
                }
            }
        } else if (emails.status() == 403 || emails.status() == 404) {
            // A GitHub App without the "email addresses" permission cannot list emails: fall back to the public
            // profile email, which GitHub does not mark verified, so neither do we.
            email = Upstream.text(u.path("email"));
        } else {
            throw new LoginException("GitHub answered " + emails.status() + " to the email request");
        }
        return new VcsUser(Long.toString(u.path("id").asLong()), u.path("login").asText(), name, email, verified);
    }

    private HttpRequest.Builder api(String path, String token) {
        return HttpRequest.newBuilder(Upstream.join(app.apiUrl(), path))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/vnd.github+json")
            .GET();
    }
}
