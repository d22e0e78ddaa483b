package dev.atlas.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atlas report} is a launcher command with help, and needs both folders. */
class ReportCliCommandTest {

    private static int run(StringWriter out, String... args) {
        return AtlasCli.execute(args, new PrintWriter(out, true), new PrintWriter(out, true));
    }

    @Test
    void describesItselfAndItsFoldersInHelp() {
        StringWriter out = new StringWriter();
        assertThat(run(out, "report", "--help")).isZero();
        assertThat(out.toString()).contains("--task-dir", "--secrets-dir", "ATLAS_RESULTS_DIR");
    }

    @Test
    void refusesToRunWithoutItsFolders() {
        assertThat(run(new StringWriter(), "report", "--task-dir", "x")).isEqualTo(AtlasCli.USAGE);
    }

    @Test
    void failsWithOneOnAnUnusableTask(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("task.json"), "{\"taskId\": \"t-1\", \"type\": \"cancel\"}");
        assertThat(run(new StringWriter(), "report", "--task-dir", dir.toString(), "--secrets-dir", dir.toString()))
            .isEqualTo(AtlasCli.FAILED);
    }
}
