package dev.atlas.driver.local;

import static dev.atlas.driver.local.LocalJobs.atlasStep;
import static dev.atlas.driver.local.LocalJobs.awaitEnd;
import static dev.atlas.driver.local.LocalJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.JobStatus.State;
import dev.atlas.testkit.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atlas's own steps (clone, report, patch) run as processes of the Atlas distribution and see the secrets. */
class AtlasStepsTest {
    /** What JobBuilder runs for a patch task: the distribution's launcher, found on the PATH. */
    private static final String PATCH_SCRIPT =
        "exec atlas patch --task-dir \"$ATLAS_TASK_DIR\" --secrets-dir \"$ATLAS_SECRETS_DIR\"";

    @TempDir
    Path dataDir;
    @TempDir
    Path out;
    @TempDir
    Path distribution;

    private final LocalJobs jobs = new LocalJobs();

    @AfterEach
    void close() {
        jobs.close();
    }

    @Test
    void runsAtlasOwnStepsWithTheDistributionsLauncherOnThePath() throws Exception {
        // a stand-in for bin/atlas that records how it was called
        Path bin = Files.createDirectories(distribution.resolve("bin"));
        Files.writeString(bin.resolve("atlas"), "#!/bin/sh\necho \"$@\" > \"$OUT/args\"\n"
            + "echo \"$JAVA_HOME\" > \"$OUT/java-home\"\ncat \"$ATLAS_SECRETS_DIR/clone-token\" > \"$OUT/token\"\n"
            + "pwd > \"$OUT/pwd\"\n");
        Files.setPosixFilePermissions(bin.resolve("atlas"), PosixFilePermissions.fromString("rwx------"));
        LocalDriver driver = jobs.open(false, System.getenv("PATH"),
            LocalJobs.host(dataDir, Optional.of(distribution)));
        ContainerSpec patch = atlasStep("patch", PATCH_SCRIPT, out);

        driver.submit(job("t-patch", List.of(), patch, Map.of("clone-token", Secret.of("git-token-1")),
            Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-patch")).isEqualTo(State.SUCCEEDED);
        Path folder = driver.workDir().resolve("atlas-t-patch");
        assertThat(Files.readString(out.resolve("args"))).isEqualTo("patch --task-dir " + folder.resolve("task")
            + " --secrets-dir " + folder.resolve("secrets") + "\n");
        assertThat(Files.readString(out.resolve("java-home")).trim()).isEqualTo(System.getProperty("java.home"));
        assertThat(Files.readString(out.resolve("token"))).isEqualTo("git-token-1");
        // not the workspace, which the task's code could have filled with traps
        assertThat(Files.readString(out.resolve("pwd")).trim()).isEqualTo(folder.resolve("home").toString());
    }

    @Test
    void learnsTheDistributionFromTheAtlasHomePropertyTheLauncherSets() throws Exception {
        Path bin = Files.createDirectories(distribution.resolve("bin"));
        Files.writeString(bin.resolve("atlas"), "#!/bin/sh\necho \"$1\" > \"$OUT/ran\"\n");
        Files.setPosixFilePermissions(bin.resolve("atlas"), PosixFilePermissions.fromString("rwx------"));
        String before = System.getProperty("atlas.home");
        System.setProperty("atlas.home", distribution.toString()); // what bin/atlas passes as -Datlas.home
        try {
            // the host's own answer (HostContext's default), as Atlas's host context gives it
            LocalDriver driver = jobs.open(false, System.getenv("PATH"), new TestHost(Clock.systemUTC(), dataDir));
            driver.submit(job("t-home", List.of(), atlasStep("patch", PATCH_SCRIPT, out), Map.of(),
                Duration.ofMinutes(1)));

            assertThat(awaitEnd(driver, "t-home")).isEqualTo(State.SUCCEEDED);
            assertThat(Files.readString(out.resolve("ran"))).isEqualTo("patch\n");
        } finally {
            if (before == null) {
                System.clearProperty("atlas.home");
            } else {
                System.setProperty("atlas.home", before);
            }
        }
    }

    @Test
    void failsAtlasStepsClearlyWhenAtlasDoesNotRunFromADistribution() throws Exception {
        LocalDriver driver = jobs.open(false, "/usr/bin:/bin", LocalJobs.host(dataDir, Optional.empty()));

        driver.submit(job("t-nohome", List.of(), atlasStep("patch", PATCH_SCRIPT, out), Map.of(),
            Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-nohome")).isEqualTo(State.FAILED);
        assertThat(driver.status("t-nohome").orElseThrow().detail()).contains("step patch failed with exit code 127");
    }
}
