package dev.atlas.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtlasCliTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheExactRunFormSkipsTheCommandLineParser() {
        assertThat(AtlasCli.plainRun(new String[] {"run", "--config", "/etc/atlas/atlas.yaml"}))
            .contains(Path.of("/etc/atlas/atlas.yaml"));
        assertThat(AtlasCli.plainRun(new String[] {"run", "--config=atlas.yaml"})).contains(Path.of("atlas.yaml"));
        // everything else goes through picocli, with its usage and errors
        assertThat(AtlasCli.plainRun(new String[] {"run", "--config", "a.yaml", "--help"})).isEmpty();
        assertThat(AtlasCli.plainRun(new String[] {"run", "--help"})).isEmpty();
        assertThat(AtlasCli.plainRun(new String[] {"run", "--config", "--help"})).isEmpty();
        assertThat(AtlasCli.plainRun(new String[] {"run", "--config="})).isEmpty();
        assertThat(AtlasCli.plainRun(new String[] {"run", "--config", "a\0b"})).isEmpty();
        assertThat(AtlasCli.plainRun(new String[] {"check", "--config", "a.yaml"})).isEmpty();
        assertThat(AtlasCli.plainRun(new String[] {"run"})).isEmpty();
    }

    @Test
    void aFailedStartSaysWhatCausedItNotOnlyWhichPartFailed() {
        Exception failure = new IllegalStateException("cannot configure WebhookModule",
            new java.io.IOException("spool folder /var/lib/atlas/spool is in use by another Atlas",
                new java.nio.channels.OverlappingFileLockException()));
        assertThat(AtlasCli.reasons(failure)).isEqualTo("cannot configure WebhookModule: spool folder "
            + "/var/lib/atlas/spool is in use by another Atlas: java.nio.channels.OverlappingFileLockException");
        // a wrapper that repeats its cause's message says it once
        Exception wrapped = new RuntimeException(new java.io.IOException("disk full"));
        assertThat(AtlasCli.reasons(wrapped)).isEqualTo("java.io.IOException: disk full");
    }

    @Test
    void aPlainRunWithABadConfigListsItsProblemsByKeyAndExits2AsCheckDoesThroughTheParser() throws Exception {
        Path config = Files.writeString(dir.resolve("atlas.yaml"), "server: {port: nine}\n");
        for (String[] args : new String[][] {{"run", "--config", config.toString()},
            {"run", "--config=" + config}, {"check", "--config", config.toString()}}) {
            StringWriter err = new StringWriter();
            int code = AtlasCli.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
            assertThat(code).as(String.join(" ", args)).isEqualTo(AtlasCli.USAGE);
            assertThat(err.toString()).as(String.join(" ", args)).startsWith("invalid configuration (")
                .contains("server.port").contains("runner");
        }
    }

    @Test
    void runWithoutItsConfigIsAUsageErrorFromTheParser() {
        StringWriter err = new StringWriter();
        int code = AtlasCli.execute(new String[] {"run"}, new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true));
        assertThat(code).isEqualTo(AtlasCli.USAGE);
        assertThat(err.toString()).contains("--config").contains("Usage: atlas run");
    }
}
