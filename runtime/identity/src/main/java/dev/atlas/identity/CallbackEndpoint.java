package dev.atlas.identity;

import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsUser;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.identity.store.LoginStore;
import dev.atlas.core.keys.SealedTokens;
import dev.atlas.core.keys.TokenRejected;
import dev.atlas.core.plugins.PluginHost;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /auth/callback/{appId}}: where the VCS sends the browser back. Opens the sealed {@link LoginState},
 * checks it belongs to this app and to this browser (the {@link Cookies#LOGIN} cookie hashes to its binding) and was
 * not used before, exchanges the VCS's code through the app's {@link OAuthLogin}, sets the session cookie, and sends
 * the browser to the client's redirect URI with a fresh access code. A state that fails any check gets an HTML 400
 * page; a VCS that refuses or fails gets an HTML 502 page. The login cookie is cleared on every answer.
 *
 * <p>Used state ids are recorded in the {@link LoginStore} (create-if-absent) until the state expires, so a replayed
 * callback fails at every replica sharing the store.
 */
final class CallbackEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackEndpoint.class);
    private static final String PREFIX = "/auth/callback/";

    private final IdpSettings settings;
    private final SealedTokens sealed;
    private final ClientRedirects redirects;
    private final Clock clock;
    private final LoginStore store;

    CallbackEndpoint(IdpSettings settings, SealedTokens sealed, ClientRedirects redirects, LoginStore store,
        Clock clock) {
        this.settings = settings;
        this.sealed = sealed;
        this.redirects = redirects;
        this.store = store;
        this.clock = clock;
    }

    void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        String appId = request.rawPath().startsWith(PREFIX) ? request.rawPath().substring(PREFIX.length()) : "";
        List<String> clearLogin = List.of(Cookies.clear(Cookies.LOGIN));
        OAuthParams params;
        try {
            params = OAuthParams.parse(request.rawQuery().orElse(""));
        } catch (IllegalArgumentException e) {
            refuse(exchange, "The answer from the VCS is malformed.", clearLogin);
            return;
        }
        LoginState state;
        try {
            if (params.repeated("state") || params.repeated("code")) {
                throw new TokenRejected("repeated parameter");
            }
            state = LoginState.open(sealed, params.get("state").orElse(null));
        } catch (TokenRejected e) {
            LOG.info("login callback for app {} refused: state {}", appId, e.getMessage());
            refuse(exchange, "This sign-in link is invalid or has expired. Start again from the application.",
                clearLogin);
            return;
        }
        Optional<String> binding = Cookies.read(request, Cookies.LOGIN);
        if (binding.isEmpty() || !Opaque.same(Opaque.hash(binding.get()), state.bindingHash())) {
            LOG.info("login callback for app {} refused: state not bound to this browser", appId);
            refuse(exchange, "This sign-in was started in another browser, or its cookie is missing. "
                + "Start again from the application.", clearLogin);
            return;
        }
        Optional<VcsProvider> app = settings.loginApp(appId);
        if (!state.appId().equals(appId) || app.isEmpty()) {
            LOG.info("login callback refused: state of app {} arrived for app {}", state.appId(), appId);
            refuse(exchange, "This sign-in link does not belong to this app.", clearLogin);
            return;
        }
        if (!firstUse(state)) {
            LOG.info("login callback for app {} refused: state replayed", appId);
            refuse(exchange, "This sign-in link was used already. Start again from the application.", clearLogin);
            return;
        }
        Optional<String> vcsError = params.get("error");
        Optional<String> code = params.get("code");
        if (vcsError.isPresent() || code.isEmpty()) {
            // the state is verified, so its redirect URI is the client's registered one: tell the client
            String error = vcsError.filter("access_denied"::equals).orElse("server_error");
            LOG.info("login at the VCS of app {} ended without a code ({})", appId, error);
            Answers.redirect(exchange, redirects.error(state.redirectUri(), Optional.of(state.clientState()), error,
                "the VCS login did not complete"), clearLogin);
            return;
        }
        VcsUser user;
        try {
            user = PluginHost.withPluginLoader(app.get(),
                () -> ((OAuthLogin) app.get()).exchange(code.get(), settings.callback(appId)));
            if (user == null || blank(user.id()) || blank(user.login())) {
                throw new LoginException("the VCS answered no user id or login");
            }
        } catch (LoginException e) {
            LOG.warn("login at the VCS of app {} failed: {}", appId, e.getMessage());
            failed(exchange, app.get(), e.getMessage(), clearLogin);
            return;
        } catch (Exception e) {
            // a plugin bug: its message could hold anything, so only the type is logged and shown
            LOG.error("login at the VCS of app {} failed with {}", appId, e.getClass().getName());
            failed(exchange, app.get(), "unexpected error in the VCS plugin", clearLogin);
            return;
        }
        Identity identity = Identity.of(app.get().app(), user);
        Instant now = clock.instant();
        String session = new Session(identity, now).seal(sealed, now.plus(settings.sessionTtl()));
        var grant = new AuthorizationCodes.Grant(state.clientId(), state.redirectUri(), state.codeChallenge(),
            state.scope(), state.nonce(), identity, now);
        LOG.info("user {} signed in through app {} for client {}", identity.sub(), appId, state.clientId());
        Answers.redirect(exchange, redirects.success(grant, state.clientState()),
            List.of(Cookies.set(Cookies.SESSION, session, settings.sessionTtl()), Cookies.clear(Cookies.LOGIN)));
    }

    private boolean firstUse(LoginState state) {
        return store.create(LoginStore.Kind.USED_STATE, LoginRecords.key("login-state:" + state.id()), Map.of(),
            clock.instant().plus(LoginState.TTL));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static void failed(Exchange exchange, VcsProvider app, String reason, List<String> cookies) {
        Answers.page(exchange, 502, "Sign-in at " + app.app().vcs() + " failed",
            "The VCS could not complete the sign-in: " + reason + ". Try again later or ask your administrator.",
            cookies);
    }

    private static void refuse(Exchange exchange, String message, List<String> cookies) {
        Answers.page(exchange, 400, "Sign-in refused", message, cookies);
    }
}
