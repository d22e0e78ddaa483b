package dev.atlas.core.boot;

import dev.atlas.api.driver.Driver;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.outbound.OutboundNetwork;
import dev.atlas.core.plugins.PluginHost;
import dev.atlas.policies.LoadedPolicy;
import java.util.Map;
import java.util.Optional;

/**
 * A checked configuration with its plugins loaded and every app's provider and the driver configured (not yet
 * opened), every app's API policy parsed and the outbound network (trust, proxy) set up: what {@code atlas check}
 * validates and {@code atlas run} starts.
 */
public record Assembly(AtlasConfig config, PluginHost plugins, Map<String, VcsProvider> providers, Driver driver,
    Map<String, LoadedPolicy> policies, RouteCatalog routes, OutboundNetwork outbound) implements AutoCloseable {

    /** The provider of app {@code appId}. */
    public Optional<VcsProvider> provider(String appId) {
        return Optional.ofNullable(providers.get(appId));
    }

    @Override
    public void close() {
        providers.values().forEach(VcsProvider::close);
        if (driver != null) {
            driver.close();
        }
        plugins.close();
    }
}
