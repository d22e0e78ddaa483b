package dev.atlas.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.core.AtlasVersion;
import dev.atlas.core.cli.AtlasCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProcessMetersTest {
    @Test
    void exposesJvmAndProcessMetersAndTheBuildVersion() throws Exception {
        MicrometerMetrics metrics = new MicrometerMetrics();
        try (AutoCloseable meters = metrics.bindProcessMeters("1.2.3")) {
            String scrape = metrics.scrape();
            assertThat(scrape).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded",
                "process_cpu_usage", "system_cpu_count", "process_uptime_seconds", "process_start_time_seconds",
                "atlas_build_info{version=\"1.2.3\"} 1");
            // GC meters appear once a collection happened; the binder is there from the start
            assertThat(scrape).contains("jvm_gc_");
            if (System.getProperty("os.name").toLowerCase().contains("linux")) {
                assertThat(scrape).contains("process_files_open_files", "process_files_max_files");
            }
        }
    }

    @Test
    void printsTheVersionTheBuildStamped() {
        StringWriter out = new StringWriter();
        AtlasCli.execute(new String[] {"--version"}, new PrintWriter(out, true), new PrintWriter(new StringWriter()));
        assertThat(AtlasVersion.get()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(out.toString().trim()).isEqualTo("atlas " + AtlasVersion.get());
    }
}
