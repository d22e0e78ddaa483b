package dev.atlas.api;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * What the host hands to a plugin when it opens: a clock, an HTTP client, metrics and a data folder. Plugins never
 * see the Camel context or the plugin manager.
 */
public interface HostContext {

    /** The clock to read time from; tests pass a fixed one. */
    Clock clock();

    /**
     * The shared HTTP client. It never follows redirects and has a connect timeout, so a plugin that calls its VCS
     * cannot be steered to another host by a redirect. It trusts {@code outbound.caBundle} and goes through
     * {@code outbound.proxy}.
     */
    HttpClient httpClient();

    /** Where the plugin records its counters and timers; names are prefixed {@code atlas_} by the host. */
    Metrics metrics();

    /** A folder the plugin may write to (created by the host); it survives restarts. */
    Path dataDir();

    /**
     * The folder of the Atlas distribution this process runs from ({@code bin/atlas}, {@code lib/}), for plugins that
     * start Atlas's own programs ({@code atlas patch}, {@code atlas report}) as child processes. {@code bin/atlas} sets
     * it as the system property {@code atlas.home}; {@code ATLAS_HOME} is the fallback. Empty when Atlas does not run
     * from a distribution (tests, an IDE).
     */
    default Optional<Path> atlasHome() {
        String home = System.getProperty("atlas.home", System.getenv("ATLAS_HOME"));
        return home == null || home.isBlank() ? Optional.empty()
            : Optional.of(Path.of(home).toAbsolutePath().normalize());
    }

    /**
     * The outbound network settings (extra trusted CAs, egress proxy) for a client that cannot use
     * {@link #httpClient()}, which already honours them.
     */
    default OutboundSettings outbound() {
        return OutboundSettings.direct();
    }
}
