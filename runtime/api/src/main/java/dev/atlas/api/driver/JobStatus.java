package dev.atlas.api.driver;

/** A task's job as the backend sees it. */
public record JobStatus(String taskId, String jobRef, State state, String detail) {

    /** The life of a job. */
    public enum State {
        PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED
    }
}
