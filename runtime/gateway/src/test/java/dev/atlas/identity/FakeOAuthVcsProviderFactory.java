package dev.atlas.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.VcsUser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.pf4j.Extension;

/**
 * A VCS id {@code fakeoauth} on the test classpath whose apps log users in over real HTTP against a
 * {@link FakeVcsOAuthServer} at the app's {@code webUrl} (pages and token) and {@code apiUrl} (profile).
 */
@Extension
public final class FakeOAuthVcsProviderFactory implements VcsProviderFactory {
    @Override
    public String id() {
        return "fakeoauth";
    }

    @Override
    public String configSection() {
        return "fakeoauth";
    }

    @Override
    public VcsProvider configure(AppSettings app, ConfigSection section, Problems problems) {
        section.allowOnly(Set.of());
        if (app.oauth().isEmpty()) {
            problems.add(app.configKey() + ".oauth", "is required for fakeoauth");
        }
        return new Provider(app);
    }

    /** The provider: OAuth login only. */
    static final class Provider implements VcsProvider, OAuthLogin {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final AppSettings app;
        private final HttpClient http = HttpClient.newHttpClient();

        Provider(AppSettings app) {
            this.app = app;
        }

        @Override
        public AppSettings app() {
            return app;
        }

        @Override
        public URI authorizeUrl(URI callback, String state) {
            return URI.create(app.webUrl() + "/login/oauth/authorize?client_id=" + enc(app.oauth().get().clientId())
                + "&redirect_uri=" + enc(callback.toString()) + "&state=" + enc(state));
        }

        @Override
        public VcsUser exchange(String code, URI callback) throws LoginException {
            try {
                HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(app.webUrl()
                        + "/login/oauth/access_token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("code=" + enc(code) + "&client_id="
                        + enc(app.oauth().get().clientId()) + "&client_secret="
                        + enc(app.oauth().get().clientSecret().reveal()) + "&redirect_uri=" + enc(callback.toString())))
                    .build(), HttpResponse.BodyHandlers.ofString());
                if (token.statusCode() != 200) {
                    throw new LoginException("token exchange answered HTTP " + token.statusCode());
                }
                String accessToken = JSON.readTree(token.body()).path("access_token").asText();
                HttpResponse<String> user = http.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/user"))
                    .header("Authorization", "Bearer " + accessToken).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
                if (user.statusCode() != 200) {
                    throw new LoginException("profile answered HTTP " + user.statusCode());
                }
                JsonNode profile = JSON.readTree(user.body());
                return new VcsUser(profile.path("id").asText(), profile.path("login").asText(),
                    Optional.ofNullable(profile.path("name").textValue()),
                    Optional.ofNullable(profile.path("email").textValue()), true);
            } catch (IOException e) {
                throw new LoginException("VCS unreachable", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LoginException("interrupted", e);
            }
        }

        private static String enc(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }
    }
}
