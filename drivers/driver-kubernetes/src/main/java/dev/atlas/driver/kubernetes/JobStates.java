package dev.atlas.driver.kubernetes;

import dev.atlas.api.driver.JobStatus.State;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Reads a task's state from its Job's status, the way {@code kubectl describe job} would summarise it. */
final class JobStates {
    private JobStates() {
    }

    /** The state and a short detail; never reads pods (see {@link #exitDetail} for that). */
    static Outcome of(Job job) {
        if (job.getMetadata().getDeletionTimestamp() != null) {
            return new Outcome(State.CANCELLED, "the job is being deleted");
        }
        JobStatus status = job.getStatus();
        if (status == null) {
            return new Outcome(State.PENDING, "not started");
        }
        List<JobCondition> conditions = status.getConditions() == null ? List.of() : status.getConditions();
        for (JobCondition c : conditions) {
            if (!"True".equals(c.getStatus())) {
                continue;
            }
            // FailureTarget and SuccessCriteriaMet come first on Kubernetes 1.31+, the final condition follows
            if ("Failed".equals(c.getType()) || "FailureTarget".equals(c.getType())) {
                return new Outcome(State.FAILED, describe(c));
            }
            if ("Complete".equals(c.getType()) || "SuccessCriteriaMet".equals(c.getType())) {
                return new Outcome(State.SUCCEEDED, "completed");
            }
        }
        if (positive(status.getActive())) {
            return new Outcome(State.RUNNING, status.getActive() + " pod(s) active");
        }
        if (positive(status.getSucceeded())) {
            return new Outcome(State.SUCCEEDED, "completed");
        }
        if (positive(status.getFailed())) {
            return new Outcome(State.FAILED, "pod failed");
        }
        return new Outcome(State.PENDING, "waiting for a pod");
    }

    private static String describe(JobCondition c) {
        String reason = c.getReason() == null ? "failed" : c.getReason();
        return c.getMessage() == null ? reason : reason + ": " + c.getMessage();
    }

    private static boolean positive(Integer n) {
        return n != null && n > 0;
    }

    /** The first container of the job's pods that ended with a non-zero code, as {@code container main exited 3}. */
    static Optional<String> exitDetail(List<Pod> pods) {
        return pods.stream()
            .filter(p -> p.getStatus() != null)
            .flatMap(p -> Stream.concat(
                p.getStatus().getInitContainerStatuses() == null ? Stream.empty()
                    : p.getStatus().getInitContainerStatuses().stream(),
                p.getStatus().getContainerStatuses() == null ? Stream.empty()
                    : p.getStatus().getContainerStatuses().stream()))
            .filter(s -> terminated(s).map(t -> t.getExitCode() != null && t.getExitCode() != 0).orElse(false))
            .findFirst()
            .map(s -> "container " + s.getName() + " exited with code " + terminated(s).orElseThrow().getExitCode()
                + Optional.ofNullable(terminated(s).orElseThrow().getReason()).map(r -> " (" + r + ")").orElse(""));
    }

    private static Optional<ContainerStateTerminated> terminated(ContainerStatus s) {
        return Optional.ofNullable(s.getState()).map(st -> st.getTerminated());
    }

    /** A state and its detail. */
    record Outcome(State state, String detail) {
    }
}
