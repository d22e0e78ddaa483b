package dev.atlas.vcs.bitbucket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthClientSettings;
import dev.atlas.api.vcs.VcsUser;
import dev.atlas.plugin.support.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * OAuth 2 login against Bitbucket Cloud with an OAuth consumer (permissions: Account, Email). Bitbucket sends the
 * browser back to the callback URL registered on the consumer, so no {@code redirect_uri} is sent; the consumer's
 * callback must be {@code {publicUrl}/auth/callback/{appId}}. The user id is the account UUID.
 */
final class CloudLogin extends OAuthFlow {
    private final AppSettings app;
    private final OAuthClientSettings client;

    CloudLogin(AppSettings app, OAuthClientSettings client, HttpClient http) {
        super("Bitbucket", http);
        this.app = app;
        this.client = client;
    }

    @Override
    URI authorizeUrl(URI callback, String state) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", client.clientId());
        query.put("response_type", "code");
        query.put("state", state);
        return Upstream.withQuery(Upstream.join(app.webUrl(), "/site/oauth2/authorize"), query);
    }

    @Override
    VcsUser exchange(String code, URI callback) throws LoginException {
        String basic = Base64.getEncoder().encodeToString(
            (client.clientId() + ":" + client.clientSecret().reveal()).getBytes(StandardCharsets.UTF_8));
        String token = accessToken(HttpRequest.newBuilder(Upstream.join(app.webUrl(), "/site/oauth2/access_token"))
            .header("Authorization", "Basic " + basic)
            .POST(HttpRequest.BodyPublishers.ofString(
                Upstream.form(Map.of("grant_type", "authorization_code", "code", code)))));
        Upstream.Reply user = get(Upstream.join(app.apiUrl(), "/user"), token, "the profile request");
        if (!user.ok()) {
            throw failed(user, "the profile request");
        }
        JsonNode u = user.json();
        Optional<String> uuid = Upstream.text(u.path("uuid"));
        Optional<String> login = Upstream.text(u.path("username")).or(() -> Upstream.text(u.path("nickname")));
        if (uuid.isEmpty() || login.isEmpty()) {
            throw new LoginException("Bitbucket's profile has no uuid or username");
        }
        Upstream.Reply emails = get(Upstream.join(app.apiUrl(), "/user/emails"), token, "the email request");
        Optional<String> email = Optional.empty();
        boolean verified = false;
        if (emails.ok()) {
            for (JsonNode e : emails.json().path("values")) {
                if (e.path("is_primary").asBoolean(false)) {
                    email = Upstream.text(e.path("email"));
                    verified = email.isPresent() && e.path("is_confirmed").asBoolean(false);
                }
            }
        } else if (emails.status() != 403) {
            // 403: the consumer lacks the Email permission; the user then simply has no email.
            throw failed(emails, "the email request");
        }
        return new VcsUser(uuid.get(), login.get(), Upstream.text(u.path("display_name")), email, verified);
    }
}
