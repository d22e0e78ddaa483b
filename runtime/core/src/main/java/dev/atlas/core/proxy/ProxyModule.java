package dev.atlas.core.proxy;

import dev.atlas.core.boot.ApplicationModule;
import dev.atlas.core.boot.ModuleContext;
import dev.atlas.core.cloud.CloudAuthenticator;
import dev.atlas.core.tasks.TaskTokens;
import java.time.Duration;

/** The VCS API proxy (SPEC §5): binds {@code vcsProxy} for the routes of {@code proxy.camel.yaml}. */
public final class ProxyModule implements ApplicationModule {
    /** How long the VCS has to answer a proxied call. */
    static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public void configure(ModuleContext context) {
        var assembly = context.assembly();
        CloudAuthenticator authenticator = new CloudAuthenticator(assembly.config().cloud().auth(), context.clock());
        context.bind("cloudAuthenticator", authenticator);
        context.bind("vcsProxy", new VcsProxy(assembly.providers(), assembly.policies(), authenticator,
            context.outbound().httpClient(), UPSTREAM_TIMEOUT, context.metrics(),
            java.util.Optional.of(TaskTokens.on(context.signingKeys(), assembly.config(), context.clock()))));
    }
}
