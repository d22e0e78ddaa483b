package dev.atlas.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.core.AtlasVersion;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} of a running Atlas: its own meters, the JVM's, the build's version and Camel's routes. */
class MetricsEndpointIT {
    @TempDir
    Path dir;

    @Test
    void servesProcessBuildAndRouteMetersBesideAtlasOwn() throws Exception {
        int port = TestConfigs.freePort();
        try (RunningAtlas atlas = RunningAtlas.start(TestConfigs.write(dir,
            TestConfigs.valid(port, "https://asgard.example", "")), Map.of())) {
            assertThat(atlas.get("/health/live").statusCode()).isEqualTo(200);
            String scrape = atlas.get("/metrics").body();
            assertThat(scrape).contains("atlas_build_info{version=\"" + AtlasVersion.get() + "\"} 1",
                "jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage", "process_uptime_seconds",
                "jvm_gc_");
            // Camel's route meter names and tags (RouteMeters), counted and timed: the one call to /health/live
            assertThat(scrape).containsPattern("camel_exchanges_total\\{camelContext=\"[^\"]+\",eventType=\"route\","
                + "kind=\"CamelRoute\",routeId=\"health-live\"} 1.0");
            assertThat(scrape).containsPattern("camel_exchanges_succeeded_total\\{[^}]*routeId=\"health-live\"} 1.0");
            assertThat(scrape).containsPattern("camel_exchanges_failed_total\\{[^}]*routeId=\"health-live\"} 0.0");
            assertThat(scrape).containsPattern("camel_route_policy_seconds_count\\{[^}]*routeId=\"health-live\"} 1\n");
            assertThat(scrape).containsPattern("app_info\\{camel_context=\"[^\"]+\",[^}]*camel_version=\"4\\.");
            // per route only: no context-wide copy of the route meters (a second set of lookups per exchange)
            assertThat(scrape).doesNotContainPattern("camel_exchanges_total\\{[^}]*eventType=\"context\"");
        }
    }
}
