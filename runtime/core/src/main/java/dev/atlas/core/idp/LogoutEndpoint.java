package dev.atlas.core.idp;

import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.http.RequestCapture;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * {@code GET /auth/logout} (OpenID Connect RP-Initiated Logout, reduced): clears the session cookie, so the next
 * sign-in goes through the VCS again. With {@code post_logout_redirect_uri} and {@code client_id} the browser goes back
 * to that address when it is one of the client's registered redirect URIs (exact match); otherwise it sees a page.
 * Tokens already issued stay valid until they expire.
 */
final class LogoutEndpoint {
    private final IdpSettings settings;

    LogoutEndpoint(IdpSettings settings) {
        this.settings = settings;
    }

    void process(Exchange exchange) {
        List<String> clear = List.of(Cookies.clear(Cookies.SESSION), Cookies.clear(Cookies.LOGIN));
        OAuthParams params;
        try {
            params = OAuthParams.parse(RequestCapture.of(exchange).rawQuery().orElse(""));
        } catch (IllegalArgumentException e) {
            Answers.page(exchange, 400, "Signed out", "You are signed out. (The request was malformed.)", clear);
            return;
        }
        Optional<String> target = params.get("post_logout_redirect_uri");
        if (target.isEmpty()) {
            Answers.page(exchange, 200, "Signed out", "You are signed out of Atlas.", clear);
            return;
        }
        Optional<AtlasConfig.Client> client = params.get("client_id").flatMap(settings::client);
        if (params.repeated("post_logout_redirect_uri") || client.isEmpty()
            || !client.get().redirectUris().contains(target.get())) {
            Answers.page(exchange, 400, "Signed out",
                "You are signed out of Atlas, but the address to return to is not registered.", clear);
            return;
        }
        Answers.redirect(exchange, params.get("state").map(s -> Answers.withQuery(target.get(), Map.of("state", s)))
            .orElse(java.net.URI.create(target.get())), clear);
    }
}
