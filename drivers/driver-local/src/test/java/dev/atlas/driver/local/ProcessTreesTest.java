package dev.atlas.driver.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Killing a job reaches also what left its process tree but still writes into the job's folder. */
class ProcessTreesTest {
    @TempDir
    Path folder;

    private static Optional<ProcessHandle> running(String commandLine) {
        return ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(c -> c.endsWith(commandLine)).orElse(false)).findFirst();
    }

    @Test
    void killsAProcessOfTheJobThatNoLongerDescendsFromIt() throws Exception {
        Path log = Files.createDirectories(folder.resolve("logs")).resolve("step.log");
        // the shell leaves a sleeper behind and exits: re-parented, it is no descendant of anything the job holds
        Process parent = new ProcessBuilder("sh", "-c", "sleep 1003 &").redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        parent.waitFor();
        await().atMost(Duration.ofSeconds(10)).until(() -> running("sleep 1003").isPresent());
        ProcessHandle orphan = running("sleep 1003").orElseThrow();
        assertThat(parent.toHandle().descendants()).doesNotContain(orphan);

        ProcessTrees.kill(parent.toHandle(), folder);

        await().atMost(Duration.ofSeconds(10)).until(() -> !orphan.isAlive());
    }

    @Test
    void leavesProcessesThatWriteElsewhereAlone() throws Exception {
        Process other = new ProcessBuilder("sleep", "1004").start();
        try {
            ProcessTrees.killWritingInto(folder);

            assertThat(other.isAlive()).isTrue();
        } finally {
            other.destroyForcibly();
        }
    }
}
