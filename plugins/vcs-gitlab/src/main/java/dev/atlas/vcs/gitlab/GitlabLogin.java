package dev.atlas.vcs.gitlab;

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
import java.util.Optional;

/**
 * OAuth 2 authorization-code login against GitLab with scope {@code read_user}. GitLab's {@code /user} returns the
 * primary email; GitLab only lets a confirmed address be primary, and an account's first address is confirmed when
 * {@code confirmed_at} is set, so that is what "verified" means here.
 */
final class GitlabLogin {
    static final String SCOPE = "read_user";

    private final AppSettings app;
    private final OAuthClientSettings client;
    private final OAuthCalls<LoginException> calls;

    GitlabLogin(AppSettings app, OAuthClientSettings client, HttpClient http) {
        this.app = app;
        this.client = client;
        this.calls = new OAuthCalls<>("GitLab", http, LoginException::new, LoginException::new);
    }

    URI authorizeUrl(URI callback, String state) {
        URI endpoint = Upstream.join(app.webUrl(), "/oauth/authorize");
        return OAuthCalls.authorizationRequest(endpoint, client.clientId(), callback, state, SCOPE);
    }

    VcsUser exchange(String code, URI callback) throws LoginException {
        String token = calls.exchangeCode(Upstream.join(app.webUrl(), "/oauth/token"), client.clientId(),
            client.clientSecret().reveal(), code, callback);
        Upstream.Reply user = calls.send(HttpRequest.newBuilder(Upstream.join(app.apiUrl(), "/user"))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .GET(), "the profile request");
        if (!user.ok()) {
            throw new LoginException("GitLab answered " + user.status() + " to the profile request");
        }
        JsonNode u = user.json();
        if (!u.path("id").canConvertToLong() || u.path("username").asText("").isEmpty()) {
            throw new LoginException("GitLab's profile has no id or username");
        }
        Optional<String> email = Upstream.text(u.path("email"));
        boolean verified = email.isPresent() && Upstream.text(u.path("confirmed_at")).isPresent();
        return new VcsUser(Long.toString(u.path("id").asLong()), u.path("username").asText(), Upstream.text(u.path("name")), email,
            verified);
    }
}
