package dev.atlas.vcs.bitbucket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthClientSettings;
import dev.atlas.api.vcs.VcsUser;
import dev.atlas.plugin.support.OAuthCalls;
import dev.atlas.plugin.support.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * OAuth 2 login against Bitbucket Data Center (an incoming application link). Data Center has no "current user"
 * REST resource: the user name comes from the application-links {@code whoami} servlet, then the profile from
 * {@code /users/{slug}} (or, when the slug differs from the name, the exact name among {@code /users?filter=}).
 * Data Center does not say whether an email address was verified, so {@code emailVerified} is always false.
 */
final class DataCenterLogin extends OAuthFlow {
    static final String SCOPE = "PUBLIC_REPOS";

    private final AppSettings app;
    private final OAuthClientSettings client;

    DataCenterLogin(AppSettings app, OAuthClientSettings client, HttpClient http) {
        super("Bitbucket Data Center", http);
        this.app = app;
        this.client = client;
    }

    @Override
    URI authorizeUrl(URI callback, String state) {
        URI endpoint = Upstream.join(app.webUrl(), "/rest/oauth2/latest/authorize");
        return OAuthCalls.authorizationRequest(endpoint, client.clientId(), callback, state, SCOPE);
    }

    @Override
    VcsUser exchange(String code, URI callback) throws LoginException {
        String token = calls.exchangeCode(Upstream.join(app.webUrl(), "/rest/oauth2/latest/token"), client.clientId(),
            client.clientSecret().reveal(), code, callback);
        Upstream.Reply whoami = get(Upstream.join(app.webUrl(), "/plugins/servlet/applinks/whoami"), token, "the whoami request");
        if (!whoami.ok()) {
            throw failed(whoami, "the whoami request");
        }
        String name = whoami.text().strip();
        if (name.isEmpty() || name.length() > 255) {
            throw new LoginException("Bitbucket Data Center did not say who logged in");
        }
        JsonNode user = profile(name, token);
        if (!user.path("id").canConvertToLong()) {
            throw new LoginException("Bitbucket Data Center's profile has no id");
        }
        return new VcsUser(Long.toString(user.path("id").asLong()), user.path("name").asText(), Upstream.text(user.path("displayName")),
            Upstream.text(user.path("emailAddress")), false);
    }

    /** The profile whose {@code name} is the logged-in user's, never another user's that merely matches a filter. */
    private JsonNode profile(String name, String token) throws LoginException {
        Upstream.Reply bySlug = get(Upstream.join(app.apiUrl(), "/users/" + Upstream.encode(name)), token, "the profile request");
        if (bySlug.ok() && sameName(bySlug.json(), name)) {
            return bySlug.json();
        }
        if (!bySlug.ok() && bySlug.status() != 404) {
            throw failed(bySlug, "the profile request");
        }
        Upstream.Reply search = get(Upstream.withQuery(Upstream.join(app.apiUrl(), "/users"),
            Map.of("filter", name, "limit", "1000")), token, "the user search");
        if (!search.ok()) {
            throw failed(search, "the user search");
        }
        Optional<JsonNode> match = Optional.empty();
        for (JsonNode candidate : search.json().path("values")) {
            if (sameName(candidate, name)) {
                match = Optional.of(candidate);
            }
        }
        return match.orElseThrow(() -> new LoginException("Bitbucket Data Center has no profile for the logged-in user"));
    }

    /** Data Center user names are case-insensitive. */
    private static boolean sameName(JsonNode user, String name) {
        return user.path("name").asText("").toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT));
    }
}
