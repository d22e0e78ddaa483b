package dev.atlas.driver.local;

import static dev.atlas.driver.local.LocalJobs.atlasStep;
import static dev.atlas.driver.local.LocalJobs.awaitEnd;
import static dev.atlas.driver.local.LocalJobs.job;
import static dev.atlas.driver.local.LocalJobs.taskStep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.atlas.api.Secret;
import dev.atlas.api.driver.JobStatus.State;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a working bwrap the local driver refuses to open, unless tasks.local.unsandboxed allows it. */
class SandboxCheckTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path out;
    @TempDir
    Path bin;

    private final LocalJobs jobs = new LocalJobs();

    @AfterEach
    void close() {
        jobs.close();
    }

    @Test
    void refusesToOpenWithoutBwrapNamingTheKeyThatAllowsIt() {
        assertThatThrownBy(() -> jobs.open(false, bin.toString(), LocalJobs.host(dataDir, Optional.empty())))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("tasks.local.unsandboxed: bwrap (Debian/Ubuntu package bubblewrap) is not on the PATH")
            .hasMessageContaining("set tasks.local.unsandboxed: true");
    }

    @Test
    void refusesToOpenWhenBwrapCannotMakeASandboxHere() throws Exception {
        // a bwrap that fails as it does in a container without user namespaces
        Files.writeString(bin.resolve("bwrap"), "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\n"
            + "exit 1\n");
        Files.setPosixFilePermissions(bin.resolve("bwrap"), PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> jobs.open(false, bin.toString(), LocalJobs.host(dataDir, Optional.empty())))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("tasks.local.unsandboxed")
            .hasMessageContaining("cannot make a sandbox on this machine (exit 1: bwrap: No permissions");
    }

    @Test
    void runsTheTasksStepsWithoutTheSecretsFolderWhenUnsandboxed() throws Exception {
        LocalDriver driver = jobs.open(true, bin.toString(), LocalJobs.host(dataDir, Optional.empty()));
        driver.submit(job("t-unsandboxed", List.of(taskStep("analyzer", "echo \"[$ATLAS_SECRETS_DIR]\" > "
            + "\"$ATLAS_RESULTS_DIR/seen\"")), atlasStep("report", "cp \"$ATLAS_RESULTS_DIR/seen\" \"$OUT/\"", out),
            Map.of("clone-token", Secret.of("c")), Duration.ofMinutes(1)));

        assertThat(driver.sandboxed()).isFalse();
        assertThat(awaitEnd(driver, "t-unsandboxed")).isEqualTo(State.SUCCEEDED);
        assertThat(Files.readString(out.resolve("seen"))).isEqualTo("[]\n");
    }

    @Test
    void usesTheSandboxWheneverBwrapWorksEvenIfUnsandboxedIsAllowed() throws Exception {
        assumeThat(Sandbox.locate(System.getenv("PATH"))).as("bwrap is installed (CI installs it)").isPresent();

        LocalDriver driver = jobs.open(true, System.getenv("PATH"), LocalJobs.host(dataDir, Optional.empty()));

        assertThat(driver.sandboxed()).isTrue();
    }
}
