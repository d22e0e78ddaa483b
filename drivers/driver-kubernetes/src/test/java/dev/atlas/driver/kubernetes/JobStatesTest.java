package dev.atlas.driver.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.driver.JobStatus.State;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobStatesTest {

    static Stream<Arguments> jobs() {
        return Stream.of(
            Arguments.of("no status yet", new JobStatusBuilder().build(), State.PENDING),
            Arguments.of("a pod active", new JobStatusBuilder().withActive(1).build(), State.RUNNING),
            Arguments.of("Complete condition", new JobStatusBuilder().withConditions(
                new JobConditionBuilder().withType("Complete").withStatus("True").build()).build(), State.SUCCEEDED),
            Arguments.of("Failed: DeadlineExceeded", new JobStatusBuilder().withConditions(
                new JobConditionBuilder().withType("Failed").withStatus("True").withReason("DeadlineExceeded")
                    .build()).build(), State.FAILED),
            Arguments.of("FailureTarget before Failed (1.31+)", new JobStatusBuilder().withActive(0).withConditions(
                new JobConditionBuilder().withType("FailureTarget").withStatus("True").build()).build(), State.FAILED),
            Arguments.of("condition not true yet", new JobStatusBuilder().withActive(1).withConditions(
                new JobConditionBuilder().withType("Failed").withStatus("False").build()).build(), State.RUNNING),
            Arguments.of("succeeded count only", new JobStatusBuilder().withSucceeded(1).build(), State.SUCCEEDED),
            Arguments.of("failed count only", new JobStatusBuilder().withFailed(1).build(), State.FAILED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobs")
    void readsTheStateFromTheJobsStatus(String name, io.fabric8.kubernetes.api.model.batch.v1.JobStatus status,
        State expected) {
        Job job = new JobBuilder().withNewMetadata().withName("j").endMetadata().withStatus(status).build();
        assertThat(JobStates.of(job).state()).isEqualTo(expected);
    }

    @Test
    void reportsAJobBeingDeletedAsCancelled() {
        Job job = new JobBuilder().withNewMetadata().withName("j").withDeletionTimestamp("2026-01-01T00:00:00Z")
            .endMetadata().withNewStatus().withActive(1).endStatus().build();
        assertThat(JobStates.of(job).state()).isEqualTo(State.CANCELLED);
    }

    @Test
    void namesTheContainerAndExitCodeThatFailedTheJob() {
        var pod = new PodBuilder().withNewStatus()
            .addNewInitContainerStatus().withName("clone").withNewState().withNewTerminated().withExitCode(0)
            .endTerminated().endState().endInitContainerStatus()
            .addNewContainerStatus().withName("main").withNewState().withNewTerminated().withExitCode(3)
            .withReason("Error").endTerminated().endState().endContainerStatus()
            .endStatus().build();
        assertThat(JobStates.exitDetail(List.of(pod))).hasValue("container main exited with code 3 (Error)");
    }
}
