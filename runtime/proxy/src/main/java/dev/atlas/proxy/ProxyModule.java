package dev.atlas.proxy;

import dev.atlas.core.boot.ApplicationModule;
import dev.atlas.core.boot.ModuleContext;
import dev.atlas.core.cloud.CloudAuthenticator;
import dev.atlas.core.outbound.OutboundHttp;
import dev.atlas.core.tokens.TaskTokens;
import java.time.Duration;
import java.util.Optional;

/**
 * The VCS API proxy (SPEC §5): binds the steps of {@code proxy.camel.yaml}, in route order {@code proxyAuthenticate},
 * {@code proxyApp}, {@code proxyPolicy}, {@code proxyCredentials}, {@code proxyForward}, {@code proxyRedact}.
 */
public final class ProxyModule implements ApplicationModule {
    /** How long the VCS has to answer a proxied call. */
    static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public void configure(ModuleContext context) {
        var assembly = context.assembly();
        CloudAuthenticator authenticator = new CloudAuthenticator(assembly.config().cloud().auth(), context.clock());
        context.bind("cloudAuthenticator", authenticator);
        context.bind("proxyAuthenticate", new ProxyAuthenticate(authenticator,
            Optional.of(TaskTokens.on(context.signingKeys(), assembly.config(), context.clock()))));
        context.bind("proxyApp", new ProxyApp(assembly.providers()));
        context.bind("proxyPolicy", new ProxyPolicy(assembly.policies(), context.metrics()));
        context.bind("proxyCredentials", new ProxyCredentials());
        context.bind("proxyForward", new ProxyForward(OutboundHttp.shared(context.camel(), context.outbound()),
            UPSTREAM_TIMEOUT, context.metrics()));
        context.bind("proxyRedact", new ProxyRedact(context.metrics()));
    }

    @Override
    public java.util.Set<String> steps() {
        return java.util.Set.of("cloudAuthenticator", "proxyAuthenticate", "proxyApp", "proxyPolicy",
            "proxyCredentials", "proxyForward", "proxyRedact");
    }

    @Override
    public String id() {
        return "proxy";
    }

    @Override
    public int order() {
        return 20;
    }
}
