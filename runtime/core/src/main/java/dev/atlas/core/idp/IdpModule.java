package dev.atlas.core.idp;

import dev.atlas.core.boot.ApplicationModule;
import dev.atlas.core.boot.ModuleContext;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.health.ReadinessCheck;
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
 * {@code authUserinfo}, {@code authLogout}.
 *
 * <p><b>Several replicas.</b> Mount the same {@code auth.signingKeys} folder on every replica (one Kubernetes Secret or
 * volume). Everything derived from the keys then works on any replica: the discovery document and JWKS, tokens and
 * userinfo (signed with the shared keys), and the VCS {@code state} and session cookie (sealed with the shared sealing
 * key), so the callback may land on another replica than the authorize request. What is in memory holds per replica:
 * an access code is redeemed only at the replica that issued it (another replica answers {@code invalid_grant}),
 * refresh tokens rotate only at the replica that issued them, and replay detection for codes, refresh tokens and
 * states is per replica. So route {@code /auth/callback} and {@code /auth/token} to the same replica (sticky sessions,
 * or one replica for the IdP); a restart ends the refresh-token families of that replica.
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
        AuthorizationCodes codes = new AuthorizationCodes(clock);
        RefreshTokens refreshTokens = new RefreshTokens(clock, settings.sessionTtl());
        ClientRedirects redirects = new ClientRedirects(settings, codes);

        DiscoveryEndpoints discovery = new DiscoveryEndpoints(settings, keys);
        context.bind("oidcDiscovery", (Processor) discovery::metadata);
        context.bind("oidcJwks", (Processor) discovery::jwks);
        context.bind("authAuthorize", (Processor) new AuthorizeEndpoint(settings, sealed, redirects, clock)::process);
        context.bind("authCallback", (Processor) new CallbackEndpoint(settings, sealed, redirects, clock)::process);
        context.bind("authToken", (Processor) new TokenEndpoint(new ClientAuthentication(settings), codes,
            refreshTokens, new TokenIssuer(settings.issuer(), keys, clock))::process);
        context.bind("authUserinfo", (Processor) new UserinfoEndpoint(settings, keys)::process);
        context.bind("authLogout", (Processor) new LogoutEndpoint(settings, keys, sealed, clock)::process);
        context.bind("signingKeys", keys);
        context.bind("authHeaderFilter", new AuthHeaderFilter());
        context.addReadinessCheck(new ReadinessCheck() {
            @Override
            public String name() {
                return "signing-keys";
            }

            @Override
            public Result check() {
                return new Result(true, keys.keyIds().size() + " published, " + keys.signingKeyId() + " signs");
            }
        });
        LOG.info("identity provider {}: {} client(s), login apps {}, signing key {}", settings.issuer(),
            settings.clients().size(), context.assembly().providers().keySet().stream()
                .filter(id -> settings.loginApp(id).isPresent()).toList(), keys.signingKeyId());
    }
}
