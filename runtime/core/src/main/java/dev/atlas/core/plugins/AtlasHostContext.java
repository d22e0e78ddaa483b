package dev.atlas.core.plugins;

import dev.atlas.api.HostContext;
import dev.atlas.api.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** The {@link HostContext} handed to one plugin: shared clock, HTTP client and metrics, its own data folder. */
public final class AtlasHostContext implements HostContext {
    private static final HttpClient HTTP = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final Clock clock;
    private final Metrics metrics;
    private final Path dataDir;

    public AtlasHostContext(Clock clock, Metrics metrics, Path dataDir) {
        this.clock = clock;
        this.metrics = metrics;
        this.dataDir = dataDir;
    }

    /** The HTTP client Atlas itself uses for upstream calls (never follows redirects). */
    public static HttpClient sharedHttpClient() {
        return HTTP;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public HttpClient httpClient() {
        return HTTP;
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
