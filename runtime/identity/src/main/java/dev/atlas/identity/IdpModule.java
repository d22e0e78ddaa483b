package dev.atlas.identity;

import dev.atlas.core.boot.ApplicationModule;
import dev.atlas.core.boot.ModuleContext;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.health.ReadinessCheck;
import dev.atlas.core.http.AtlasException;
import dev.atlas.identity.store.LoginStore;
import dev.atlas.identity.store.LoginStoreService;
import dev.atlas.identity.store.LoginStores;
import dev.atlas.core.keys.SealedTokens;
import dev.atlas.core.keys.SigningKeys;
import java.time.Clock;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider duty (SPEC §7): Atlas as the OAuth 2 / OpenID Connect provider the cloud signs users in
 * through, each login delegated to a VCS app's {@code OAuthLogin}. Binds the processors of {@code auth.camel.yaml}:
 * {@code oidcDiscovery}, {@code oidcJwks}, {@code authAuthorize}, {@code authCallback}, {@code authToken},
 * {@code authUserinfo}, {@code authLogout}, {@code authStoreSweep}.
 *
 * <p><b>Several replicas.</b> Mount the same {@code auth.signingKeys} folder on every replica (one Kubernetes Secret or
 * volume). Everything derived from the keys then works on any replica: the discovery document and JWKS, tokens and
 * userinfo (signed with the shared keys), and the VCS {@code state} and session cookie (sealed with the shared sealing
 * key), so the callback may land on another replica than the authorize request. Access codes and refresh-token
 * families live in the {@link LoginStore} of {@code auth.storage}: with {@code kubernetes} every replica shares them
 * (a code redeemed at any replica, once; a refresh token rotated at any replica, once), with {@code file} they outlive
 * a restart of this replica, with {@code memory} neither. Expired records are swept by the {@code auth-store-sweep}
 * timer route ({@code authStoreSweep}). The ids of used VCS {@code state}s are kept there too, so a replayed callback
 * fails at every replica.
 */
public final class IdpModule implements ApplicationModule {
    private static final Logger LOG = LoggerFactory.getLogger(IdpModule.class);

    private SigningKeys keys;

    /** The signing keys, once configured (the task orchestrator signs result tokens with them). */
    public SigningKeys signingKeys() {
        if (keys == null) {
            throw new IllegalStateException("the identity provider is not configured yet");
        }
        return keys;
    }

    @Override
    public void configure(ModuleContext context) throws Exception {
        AtlasConfig config = context.assembly().config();
        Clock clock = context.clock();
        keys = context.signingKeys();
        SealedTokens sealed = SealedTokens.open(config.auth().signingKeys(), clock);
        IdpSettings settings = new IdpSettings(config, context.assembly().providers());
        LoginStore store = LoginStores.open(config.auth().storage(), context.outbound().settings());
        context.camel().addService(new LoginStoreService(store), true, true);
        AuthorizationCodes codes = new AuthorizationCodes(store, clock);
        RefreshTokens refreshTokens = new RefreshTokens(store, clock, settings.sessionTtl());
        ClientRedirects redirects = new ClientRedirects(settings, codes);

        DiscoveryEndpoints discovery = new DiscoveryEndpoints(settings, keys);
        context.bind("oidcDiscovery", (Processor) discovery::metadata);
        context.bind("oidcJwks", (Processor) discovery::jwks);
        context.bind("authAuthorize", (Processor) new AuthorizeEndpoint(settings, sealed, redirects, clock)::process);
        context.bind("authCallback", (Processor) new CallbackEndpoint(settings, sealed, redirects, store, clock)::process);
        context.bind("authToken", (Processor) new TokenEndpoint(new ClientAuthentication(settings), codes,
            refreshTokens, new TokenIssuer(settings.issuer(), keys, clock))::process);
        context.bind("authUserinfo", (Processor) new UserinfoEndpoint(settings, keys)::process);
        context.bind("authLogout", (Processor) new LogoutEndpoint(settings, keys, sealed, clock)::process);
        context.bind("authStoreSweep", (Processor) exchange -> sweep(store, clock));
        context.bind("signingKeys", keys);
        context.bind("authHeaderFilter", new AuthHeaderFilter());
        context.addReadinessCheck(ReadinessCheck.of("signing-keys", () -> new ReadinessCheck.Result(true,
            keys.keyIds().size() + " published, " + keys.signingKeyId() + " signs")));
        LOG.info("identity provider {}: {} client(s), login apps {}, signing key {}, login state in {}",
            settings.issuer(), settings.clients().size(), context.assembly().providers().keySet().stream()
                .filter(id -> settings.loginApp(id).isPresent()).toList(), keys.signingKeyId(), store.describe());
    }

    /** Removes expired codes and families; a store that cannot be reached now is tried again at the next tick. */
    private static void sweep(LoginStore store, Clock clock) {
        try {
            int removed = store.sweep(clock.instant());
            if (removed > 0) {
                LOG.debug("login store: {} expired record(s) removed", removed);
            }
        } catch (AtlasException e) {
            LOG.warn("login store sweep failed: {}", e.getMessage());
        }
    }

    @Override
    public java.util.Set<String> steps() {
        return java.util.Set.of("oidcDiscovery", "oidcJwks", "authAuthorize", "authCallback", "authToken",
            "authUserinfo", "authLogout", "authStoreSweep", "signingKeys", "authHeaderFilter");
    }

    @Override
    public String id() {
        return "identity";
    }

    @Override
    public int order() {
        return 30;
    }
}
