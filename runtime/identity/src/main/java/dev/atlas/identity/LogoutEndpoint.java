package dev.atlas.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.keys.SealedTokens;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.keys.TokenRejected;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * {@code /auth/logout}, the {@code end_session_endpoint} (OpenID Connect RP-Initiated Logout 1.0). Signing out changes
 * state, so a bare link must not do it (a page of another site could sign a user out, or bounce them through Atlas):
 * <ul>
 *   <li>{@code GET} with a valid {@code id_token_hint} (an ID token Atlas issued, not expired; its audience is the
 *       client) signs out at once;</li>
 *   <li>{@code GET} without one changes nothing: it shows a page that confirms by {@code POST} with a CSRF token
 *       (sealed by Atlas, valid ten minutes, bound to the browser's session cookie);</li>
 *   <li>{@code POST} (form-encoded) signs out only with that CSRF token, and only when {@code Origin}, if the browser
 *       sent it, is Atlas's own.</li>
 * </ul>
 * Signing out clears the session cookie, so the next sign-in goes through the VCS again. With
 * {@code post_logout_redirect_uri} the browser goes back to that address when it is registered exactly for the client
 * ({@code client_id}, or the hint's audience); otherwise it sees a page. Tokens already issued stay valid until they
 * expire.
 */
final class LogoutEndpoint {
    static final JOSEObjectType CSRF = new JOSEObjectType("atlas-logout-csrf");
    private static final Duration CSRF_TTL = Duration.ofMinutes(10);

    private final IdpSettings settings;
    private final SigningKeys keys;
    private final SealedTokens sealed;
    private final Clock clock;

    LogoutEndpoint(IdpSettings settings, SigningKeys keys, SealedTokens sealed, Clock clock) {
        this.settings = settings;
        this.keys = keys;
        this.sealed = sealed;
        this.clock = clock;
    }

    void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        boolean post = request.method().equals("POST");
        OAuthParams params;
        try {
            params = OAuthParams.parse(post ? new String(request.body(), StandardCharsets.UTF_8)
                : request.rawQuery().orElse(""));
        } catch (IllegalArgumentException e) {
            Answers.page(exchange, 400, "Sign-out", "The sign-out request was malformed; nothing changed.", List.of());
            return;
        }
        String session = Cookies.read(request, Cookies.SESSION).orElse("");
        if (post) {
            if (!confirmed(request, params, session)) {
                Answers.page(exchange, 400, "Sign-out", "The sign-out could not be confirmed; nothing changed. "
                    + "Start again from the application.", List.of());
                return;
            }
            signOut(exchange, params, params.get("client_id"));
            return;
        }
        Optional<JWTClaimsSet> hint = params.get("id_token_hint").flatMap(this::idToken);
        if (hint.isPresent()) {
            Optional<String> audience = hint.get().getAudience().stream().findFirst();
            if (params.get("client_id").isPresent() && !params.get("client_id").equals(audience)) {
                Answers.page(exchange, 400, "Sign-out", "The sign-out request names another client; nothing changed.",
                    List.of());
                return;
            }
            signOut(exchange, params, audience);
            return;
        }
        confirmationPage(exchange, params, session);
    }

    private void signOut(Exchange exchange, OAuthParams params, Optional<String> clientId) {
        List<String> clear = List.of(Cookies.clear(Cookies.SESSION), Cookies.clear(Cookies.LOGIN));
        Optional<String> target = params.get("post_logout_redirect_uri");
        if (target.isEmpty()) {
            Answers.page(exchange, 200, "Signed out", "You are signed out of Atlas.", clear);
            return;
        }
        Optional<AtlasConfig.Client> client = clientId.flatMap(settings::client);
        if (params.repeated("post_logout_redirect_uri") || client.isEmpty()
            || !client.get().redirectUris().contains(target.get())) {
            Answers.page(exchange, 400, "Signed out",
                "You are signed out of Atlas, but the address to return to is not registered.", clear);
            return;
        }
        Answers.redirect(exchange, params.get("state").map(s -> Answers.withQuery(target.get(), Map.of("state", s)))
            .orElse(URI.create(target.get())), clear);
    }

    /** An ID token this Atlas issued and that has not expired; empty otherwise (then the user confirms). */
    private Optional<JWTClaimsSet> idToken(String token) {
        try {
            return Optional.of(keys.verify(token, keys.claimsVerifier(settings.issuer(), null, Set.of("sub", "aud"))));
        } catch (TokenRejected e) {
            return Optional.empty();
        }
    }

    private void confirmationPage(Exchange exchange, OAuthParams params, String session) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("csrf", sealed.seal(CSRF, new JWTClaimsSet.Builder()
            .expirationTime(Date.from(clock.instant().plus(CSRF_TTL)))
            .claim("session", hash(session))
            .build()));
        for (String name : List.of("client_id", "post_logout_redirect_uri", "state")) {
            params.get(name).ifPresent(value -> fields.put(name, value));
        }
        Answers.form(exchange, "Sign out of Atlas?", "Sign out", settings.url("/auth/logout"), fields);
    }

    private boolean confirmed(InboundRequest request, OAuthParams params, String session) {
        Optional<String> origin = request.header("Origin");
        if (origin.isPresent() && !origin.get().equals(originOf(settings.issuer()))) {
            return false;
        }
        if (params.repeated("csrf")) {
            return false;
        }
        try {
            JWTClaimsSet claims = sealed.open(CSRF, params.get("csrf").orElse(""));
            return hash(session).equals(claims.getStringClaim("session"));
        } catch (TokenRejected | java.text.ParseException e) {
            return false;
        }
    }

    private static String originOf(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
