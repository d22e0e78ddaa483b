package dev.atlas.vcs.gitea;

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
 * OAuth 2 authorization-code login against Gitea or Forgejo, which are OAuth 2 providers: the browser goes to
 * {@code {webUrl}/login/oauth/authorize}, the code is exchanged at {@code {webUrl}/login/oauth/access_token}, the
 * profile read from {@code {apiUrl}/user} and the email from {@code {apiUrl}/user/emails}: the profile's own
 * {@code email} may be the hidden {@code noreply} address and says nothing about verification, so the primary
 * address of the email list, with its {@code verified} flag, is the one reported. Scope {@code read:user}: Gitea
 * versions with scoped OAuth tokens then grant no more than reading the profile; older ones ignore it.
 */
final class GiteaLogin {
    static final String SCOPE = "read:user";

    private final AppSettings app;
    private final OAuthClientSettings client;
    private final OAuthCalls<LoginException> calls;

    GiteaLogin(AppSettings app, OAuthClientSettings client, HttpClient http) {
        this.app = app;
        this.client = client;
        this.calls = new OAuthCalls<>("Gitea", http, LoginException::new, LoginException::new);
    }

    URI authorizeUrl(URI callback, String state) {
        URI endpoint = Upstream.join(app.webUrl(), "/login/oauth/authorize");
        return OAuthCalls.authorizationRequest(endpoint, client.clientId(), callback, state, SCOPE);
    }

    VcsUser exchange(String code, URI callback) throws LoginException {
        String token = calls.exchangeCode(Upstream.join(app.webUrl(), "/login/oauth/access_token"), client.clientId(),
            client.clientSecret().reveal(), code, callback);
        JsonNode user = get(token, "/user", "the profile request");
        if (!user.path("id").canConvertToLong() || user.path("login").asText("").isEmpty()) {
            throw new LoginException("Gitea's profile has no id or login");
        }
        JsonNode emails = get(token, "/user/emails", "the email request");
        Optional<String> email = Optional.empty();
        boolean verified = false;
        for (JsonNode e : emails) {
            if (e.path("primary").asBoolean(false) && Upstream.text(e.path("email")).isPresent()) {
                email = Upstream.text(e.path("email"));
                verified = e.path("verified").asBoolean(false);
                break;
            }
        }
        return new VcsUser(Long.toString(user.path("id").asLong()), user.path("login").asText(),
            Upstream.text(user.path("full_name")), email, verified);
    }

    private JsonNode get(String token, String path, String what) throws LoginException {
        Upstream.Reply reply = calls.send(HttpRequest.newBuilder(Upstream.join(app.apiUrl(), path))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .GET(), what);
        if (!reply.ok()) {
            throw calls.failed(reply, what);
        }
        return reply.json();
    }
}
