package dev.atlas.core.plugins;

import dev.atlas.api.HostContext;
import dev.atlas.api.Metrics;
import dev.atlas.api.OutboundSettings;
import dev.atlas.core.outbound.OutboundNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The {@link HostContext} handed to one plugin: shared clock, metrics and outbound set-up (its HTTP client trusts
 * {@code outbound.caBundle} and uses {@code outbound.proxy}), its own data folder.
 */
public final class AtlasHostContext implements HostContext {
    private static volatile OutboundNetwork current;

    private final Clock clock;
    private final Metrics metrics;
    private final Path dataDir;
    private final OutboundNetwork outbound;

    public AtlasHostContext(Clock clock, Metrics metrics, Path dataDir, OutboundNetwork outbound) {
        this.clock = clock;
        this.metrics = metrics;
        this.dataDir = dataDir;
        this.outbound = outbound;
    }

    /** Records the outbound set-up of the Atlas starting in this JVM (see {@link #sharedHttpClient()}). */
    public static void useOutbound(OutboundNetwork network) {
        current = network;
    }

    /**
     * The HTTP client of the Atlas last started in this JVM (never follows redirects; trusts the bundle, uses the
     * proxy). Prefer {@code ModuleContext.outbound().httpClient()}, which belongs to the application at hand.
     */
    public static HttpClient sharedHttpClient() {
        OutboundNetwork network = current;
        if (network == null) {
            network = OutboundNetwork.direct();
            current = network;
        }
        return network.httpClient();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public HttpClient httpClient() {
        return outbound.httpClient();
    }

    @Override
    public OutboundSettings outbound() {
        return outbound.settings();
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public Path dataDir() {
        try {
            return Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
