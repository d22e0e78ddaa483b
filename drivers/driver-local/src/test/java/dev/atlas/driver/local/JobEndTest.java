package dev.atlas.driver.local;

import static dev.atlas.driver.local.LocalJobs.atlasStep;
import static dev.atlas.driver.local.LocalJobs.awaitEnd;
import static dev.atlas.driver.local.LocalJobs.job;
import static dev.atlas.driver.local.LocalJobs.taskStep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.JobStatus.State;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** However a job ends, its folder is cleared down to the record that answers status: the source does not stay. */
class JobEndTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path out;

    private final LocalJobs jobs = new LocalJobs();

    @AfterEach
    void close() {
        jobs.close();
    }

    /** How a job ends. */
    enum Ending {
        SUCCESS(State.SUCCEEDED, "true"),
        FAILURE(State.FAILED, "exit 5"),
        TIME_LIMIT(State.FAILED, "sleep 120"),
        CANCEL(State.CANCELLED, "sleep 121");

        final State state;
        final String mainScript;

        Ending(State state, String mainScript) {
            this.state = state;
            this.mainScript = mainScript;
        }
    }

    @ParameterizedTest
    @EnumSource(Ending.class)
    void clearsTheTaskFolderDownToItsRecordWhenTheJobEnds(Ending ending) throws Exception {
        LocalDriver driver = jobs.open(dataDir);
        String taskId = "t-end-" + ending.name().toLowerCase().replace('_', '-');
        // the analyzer leaves a "clone" and a result behind, with a read-only folder and a link out of the workspace
        ContainerSpec analyzer = taskStep("analyzer", "mkdir -p repo/src && echo source > repo/src/Main.java "
            + "&& chmod 500 repo/src && ln -s /usr repo/usr && echo '{}' > \"$ATLAS_RESULTS_DIR/r.json\"");
        ContainerSpec main = atlasStep("report", "touch \"$OUT/report-started\"; " + ending.mainScript, out);
        Duration limit = ending == Ending.TIME_LIMIT ? Duration.ofSeconds(3) : Duration.ofMinutes(1);
        driver.submit(job(taskId, List.of(analyzer), main, Map.of("result-token", Secret.of("r")), limit));
        Path folder = driver.workDir().resolve("atlas-" + taskId);
        if (ending == Ending.CANCEL) {
            await().atMost(LocalJobs.WAIT).until(() -> Files.exists(out.resolve("report-started")));
            driver.cancel(taskId);
        }

        assertThat(awaitEnd(driver, taskId)).isEqualTo(ending.state);
        await().atMost(LocalJobs.WAIT).untilAsserted(() -> assertThat(entries(folder))
            .containsExactly(TaskRecord.STATE_FILE));
        assertThat(Path.of("/usr")).isDirectory(); // the link was deleted, not followed
        assertThat(driver.status(taskId).orElseThrow().state()).isEqualTo(ending.state);
    }

    @Test
    void clearsWhatAnEarlierRunLeftWhenItOpens() throws Exception {
        LocalDriver first = jobs.open(dataDir);
        first.submit(job("t-left", List.of(), atlasStep("report", "true", out), Map.of(), Duration.ofMinutes(1)));
        awaitEnd(first, "t-left");
        first.close();
        Path folder = first.workDir().resolve("atlas-t-left");
        Files.createDirectories(folder.resolve("workspace/repo"));
        Files.writeString(folder.resolve("workspace/repo/Main.java"), "source");

        LocalDriver second = jobs.open(dataDir);

        assertThat(entries(folder)).containsExactly(TaskRecord.STATE_FILE);
        assertThat(second.status("t-left").orElseThrow().state()).isEqualTo(State.SUCCEEDED);
    }

    private static List<String> entries(Path folder) throws Exception {
        try (Stream<Path> listing = Files.list(folder)) {
            return listing.map(p -> p.getFileName().toString()).toList();
        }
    }
}
