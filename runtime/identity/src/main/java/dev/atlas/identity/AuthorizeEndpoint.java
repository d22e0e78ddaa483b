package dev.atlas.identity;

import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.keys.SealedTokens;
import dev.atlas.core.keys.TokenRejected;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /auth/authorize} (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2). Checks the client and its redirect URI
 * first: when either is wrong the browser gets an HTML 400 page and is never redirected, since an unverified redirect
 * URI is exactly what an open-redirect or code-theft attack supplies. Every later problem goes back to the verified
 * redirect URI as an OAuth error. A valid request sends the browser to the app's VCS with a sealed {@link LoginState}
 * and sets the {@link Cookies#LOGIN} cookie it is bound to; a live session for the same app skips the VCS.
 */
final class AuthorizeEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizeEndpoint.class);
    /** An S256 challenge is base64url(SHA-256): exactly 43 characters (RFC 7636 §4.2). */
    private static final Pattern S256_CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
    /** Bounds what the client may make us seal into the state, which must fit into a URL. */
    private static final int MAX_VALUE_LENGTH = 512;
    private static final Set<String> SINGLE = Set.of("response_type", "client_id", "redirect_uri", "state", "scope",
        "code_challenge", "code_challenge_method", "nonce", "app", "prompt");

    private final IdpSettings settings;
    private final SealedTokens sealed;
    private final ClientRedirects redirects;
    private final Clock clock;

    AuthorizeEndpoint(IdpSettings settings, SealedTokens sealed, ClientRedirects redirects, Clock clock) {
        this.settings = settings;
        this.sealed = sealed;
        this.redirects = redirects;
        this.clock = clock;
    }

    void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        OAuthParams params;
        try {
            params = OAuthParams.parse(request.rawQuery().orElse(""));
        } catch (IllegalArgumentException e) {
            refuse(exchange, "The sign-in request is malformed.");
            return;
        }
        if (params.repeated("client_id") || params.repeated("redirect_uri")) {
            refuse(exchange, "The sign-in request repeats client_id or redirect_uri.");
            return;
        }
        Optional<AtlasConfig.Client> client = params.get("client_id").flatMap(settings::client);
        if (client.isEmpty()) {
            refuse(exchange, "The application that sent you here is not registered with this Atlas.");
            return;
        }
        Optional<String> redirectUri = params.get("redirect_uri");
        // exact string match: no prefix, case folding, normalisation or decoding beyond the query's own
        if (redirectUri.isEmpty() || !client.get().redirectUris().contains(redirectUri.get())) {
            LOG.info("authorize refused: redirect_uri not registered for client {}", client.get().id());
            refuse(exchange, "The application asked to return to an address it has not registered.");
            return;
        }
        Optional<String> clientState = params.get("state");
        String error = check(params, client.get());
        if (error != null) {
            LOG.info("authorize refused for client {}: {}", client.get().id(), error);
            Answers.redirect(exchange, redirects.error(redirectUri.get(), clientState, "invalid_request", error),
                List.of());
            return;
        }
        if (!params.get("response_type").orElse("").equals("code")) {
            Answers.redirect(exchange, redirects.error(redirectUri.get(), clientState, "unsupported_response_type",
                "only response_type=code is supported"), List.of());
            return;
        }
        Optional<String> appId = params.get("app").or(settings::defaultApp);
        Optional<VcsProvider> app = appId.flatMap(settings::loginApp);
        if (app.isEmpty()) {
            Answers.redirect(exchange, redirects.error(redirectUri.get(), clientState, "invalid_request",
                appId.isEmpty() ? "app is required" : "app is unknown or has no OAuth login"), List.of());
            return;
        }
        String scope = Scopes.grant(params.get("scope").orElse(""));
        Optional<String> prompt = params.get("prompt");
        Optional<Session> session = prompt.filter(p -> p.equals("login")).isPresent() ? Optional.empty()
            : session(request).filter(s -> s.identity().app().equals(appId.get()));
        if (session.isPresent()) {
            var grant = new AuthorizationCodes.Grant(client.get().id(), redirectUri.get(),
                params.get("code_challenge"), scope, params.get("nonce"), session.get().identity(),
                session.get().authTime());
            Answers.redirect(exchange, redirects.success(grant, clientState.get()), List.of());
            return;
        }
        if (prompt.filter(p -> p.equals("none")).isPresent()) {
            Answers.redirect(exchange, redirects.error(redirectUri.get(), clientState, "login_required",
                "no session for this app"), List.of());
            return;
        }
        String binding = Opaque.random();
        LoginState state = new LoginState(client.get().id(), redirectUri.get(), clientState.get(),
            params.get("code_challenge"), scope, params.get("nonce"), appId.get(), Opaque.hash(binding),
            Opaque.random());
        URI vcs = ((OAuthLogin) app.get()).authorizeUrl(settings.callback(appId.get()),
            state.seal(sealed, clock.instant()));
        Answers.redirect(exchange, vcs, List.of(Cookies.set(Cookies.LOGIN, binding, LoginState.TTL)));
    }

    /** The first problem of a request whose client and redirect URI are fine, or null. */
    private static String check(OAuthParams params, AtlasConfig.Client client) {
        Optional<String> repeated = params.anyRepeated().filter(SINGLE::contains);
        if (repeated.isPresent()) {
            return repeated.get() + " is repeated";
        }
        if (params.get("state").isEmpty()) {
            return "state is required";
        }
        for (String name : List.of("state", "nonce", "scope")) {
            if (params.get(name).orElse("").length() > MAX_VALUE_LENGTH) {
                return name + " is longer than " + MAX_VALUE_LENGTH + " characters";
            }
        }
        Optional<String> method = params.get("code_challenge_method");
        Optional<String> challenge = params.get("code_challenge");
        if (method.isPresent() && !method.get().equals("S256")) {
            return "code_challenge_method must be S256 (plain is not accepted)";
        }
        if (challenge.isPresent() && method.isEmpty()) {
            // RFC 7636 makes a missing method mean plain, which we refuse
            return "code_challenge_method=S256 is required with code_challenge";
        }
        if (method.isPresent() && challenge.isEmpty()) {
            return "code_challenge is missing";
        }
        if (challenge.isPresent() && !S256_CHALLENGE.matcher(challenge.get()).matches()) {
            return "code_challenge is not an S256 challenge (43 base64url characters)";
        }
        if (challenge.isEmpty() && client.requirePkce()) {
            return "this client must use PKCE (code_challenge with code_challenge_method=S256)";
        }
        Optional<String> prompt = params.get("prompt");
        if (prompt.isPresent() && !prompt.get().equals("none") && !prompt.get().equals("login")
            && !prompt.get().equals("consent") && !prompt.get().equals("select_account")) {
            return "prompt must be none, login, consent or select_account";
        }
        return null;
    }

    private Optional<Session> session(InboundRequest request) {
        Optional<String> cookie = Cookies.read(request, Cookies.SESSION);
        if (cookie.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Session.open(sealed, cookie.get()));
        } catch (TokenRejected e) {
            return Optional.empty();
        }
    }

    private static void refuse(Exchange exchange, String message) {
        Answers.page(exchange, 400, "Sign-in request refused", message, List.of());
    }
}
