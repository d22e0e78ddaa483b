package dev.atlas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.JobRef;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus;
import dev.atlas.api.driver.Resources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every driver must do, run against its fake or real backend. A driver's test extends this class and supplies
 * an opened driver whose backend is up.
 */
public abstract class DriverContract {

    /** An opened driver whose backend is up. Called once per test. */
    protected abstract Driver driver() throws Exception;

    /** A small job spec for {@code taskId}, runnable by every driver (the command exits 0 at once). */
    protected JobSpec spec(String taskId) {
        ContainerSpec main = new ContainerSpec("main", "busybox:1.36", List.of("true"),
            Map.of("ATLAS_TASK_TYPE", "analysis"), new Resources("100m", "64Mi"));
        return new JobSpec(taskId, "analysis", "app-1", "atlas-" + taskId,
            Map.of("app.kubernetes.io/managed-by", "atlas", "atlas.dev/task-id", taskId,
                "atlas.dev/type", "analysis", "atlas.dev/app", "app-1"),
            List.of(), main,
            Map.of("task.json", ("{\"taskId\":\"" + taskId + "\"}").getBytes(StandardCharsets.UTF_8)),
            Map.of("clone-token", Secret.of("clone-" + taskId), "result-token", Secret.of("result-" + taskId)),
            Duration.ofMinutes(5));
    }

    @Test
    void submittingTheSameTaskTwiceCreatesOneJob() throws Exception {
        Driver driver = driver();
        JobRef first = driver.submit(spec("t-twice"));
        JobRef second = driver.submit(spec("t-twice"));
        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.ref()).isEqualTo(first.ref());
    }

    @Test
    void reportsTheStatusOfASubmittedTask() throws Exception {
        Driver driver = driver();
        JobRef ref = driver.submit(spec("t-status"));
        Optional<JobStatus> status = driver.status("t-status");
        assertThat(status).isPresent();
        assertThat(status.get().jobRef()).isEqualTo(ref.ref());
        assertThat(status.get().taskId()).isEqualTo("t-status");
        // Atlas keeps task ids apart per app with it: another app's task id is a conflict, never this job
        assertThat(status.get().appId()).contains("app-1");
    }

    @Test
    void reportsNoStatusForAnUnknownTask() throws DriverException, Exception {
        assertThat(driver().status("t-unknown")).isEmpty();
    }

    @Test
    void cancelsASubmittedTaskAndReportsUnknownOnesAsNotCancelled() throws Exception {
        Driver driver = driver();
        driver.submit(spec("t-cancel"));
        assertThat(driver.cancel("t-cancel")).isTrue();
        assertThat(driver.status("t-cancel")).satisfiesAnyOf(
            s -> assertThat(s).isEmpty(),
            s -> assertThat(s.get().state()).isEqualTo(JobStatus.State.CANCELLED));
        assertThat(driver.cancel("t-never-submitted")).isFalse();
    }

    @Test
    void reportsItsBackendAsUp() throws Exception {
        assertThat(driver().health().up()).isTrue();
    }
}
