package dev.atlas.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Atlas's counters and latency histograms: each name and tag set is its own series, however often it is hit. */
class MicrometerMetricsTest {
    @Test
    void eachNameAndTagSetCountsOnItsOwnSeriesAcrossCalls() {
        MicrometerMetrics metrics = new MicrometerMetrics();
        metrics.count("webhooks_received_total", "vcs", "github", "app", "gh-main");
        metrics.count("webhooks_received_total", "vcs", "github", "app", "gh-main");
        metrics.count("webhooks_received_total", "vcs", "github", "app", "gh-other");
        metrics.count("webhooks_rejected_total", "vcs", "github", "app", "gh-main");
        // a tag value that contains what could be a separator stays its own series
        metrics.count("webhooks_received_total", "vcs", "github", "app", "gh-main\u0000x");

        String scrape = metrics.scrape();
        assertThat(scrape).contains("atlas_webhooks_received_total{app=\"gh-main\",vcs=\"github\"} 2.0",
            "atlas_webhooks_received_total{app=\"gh-other\",vcs=\"github\"} 1.0",
            "atlas_webhooks_rejected_total{app=\"gh-main\",vcs=\"github\"} 1.0");
        assertThat(metrics.registry().find("atlas_webhooks_received_total").counters()).hasSize(3);
    }

    @Test
    void latenciesGoToFixedBucketHistogramsOnePerTagSet() {
        MicrometerMetrics metrics = new MicrometerMetrics();
        metrics.time("proxy_upstream_latency", Duration.ofMillis(70), "vcs", "github");
        metrics.time("proxy_upstream_latency", Duration.ofSeconds(3), "vcs", "github");
        metrics.time("proxy_upstream_latency", Duration.ofMillis(7), "vcs", "gitlab");
        String scrape = metrics.scrape();
        assertThat(scrape).contains("atlas_proxy_upstream_latency_seconds_bucket{vcs=\"github\",le=\"0.05\"} 0",
            "atlas_proxy_upstream_latency_seconds_bucket{vcs=\"github\",le=\"0.1\"} 1",
            "atlas_proxy_upstream_latency_seconds_bucket{vcs=\"github\",le=\"5.0\"} 2",
            "atlas_proxy_upstream_latency_seconds_bucket{vcs=\"github\",le=\"+Inf\"} 2",
            "atlas_proxy_upstream_latency_seconds_count{vcs=\"github\"} 2",
            "atlas_proxy_upstream_latency_seconds_bucket{vcs=\"gitlab\",le=\"0.01\"} 1",
            "atlas_proxy_upstream_latency_seconds_count{vcs=\"gitlab\"} 1");
    }

    @Test
    void anOddTagListIsRefusedEveryTimeAndLeavesNothingBehind() {
        MicrometerMetrics metrics = new MicrometerMetrics();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> metrics.count("odd_total", "vcs")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(metrics.registry().find("atlas_odd_total").counters()).isEmpty();
    }
}
