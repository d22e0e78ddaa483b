package dev.atlas.testkit;

import dev.atlas.api.HostContext;
import dev.atlas.api.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link HostContext} for plugin tests: a real HTTP client without redirects, counted metrics, a temp folder. */
public final class TestHost implements HostContext {
    private final Clock clock;
    private final Path dataDir;
    private final HttpClient http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    public TestHost(Clock clock, Path dataDir) {
        this.clock = clock;
        this.dataDir = dataDir;
    }

    /** A host on the system clock with a fresh temp folder. */
    public static TestHost create() {
        try {
            return new TestHost(Clock.systemUTC(), Files.createTempDirectory("atlas-test-host"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public HttpClient httpClient() {
        return http;
    }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            @Override
            public void count(String name, String... tags) {
                counts.computeIfAbsent(key(name, tags), k -> new AtomicLong()).incrementAndGet();
            }

            @Override
            public void time(String name, Duration duration, String... tags) {
                counts.computeIfAbsent(key(name, tags) + ":timed", k -> new AtomicLong()).incrementAndGet();
            }
        };
    }

    /** How often {@code count(name, tags)} was called. */
    public long count(String name, String... tags) {
        AtomicLong n = counts.get(key(name, tags));
        return n == null ? 0 : n.get();
    }

    private static String key(String name, String... tags) {
        return name + String.join(",", tags);
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }
}
