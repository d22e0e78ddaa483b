package dev.atlas.api.driver;

import java.util.Optional;

/**
 * A task's job as the backend sees it.
 *
 * @param appId the app the job was created for ({@link JobSpec#appId()}), when the backend recorded it; Atlas uses it
 *     to keep task ids apart per app (the same task id under another app is a conflict, never the other app's job)
 */
public record JobStatus(String taskId, String jobRef, State state, String detail, Optional<String> appId) {

    /** A status whose backend did not say which app the job belongs to. */
    public JobStatus(String taskId, String jobRef, State state, String detail) {
        this(taskId, jobRef, state, detail, Optional.empty());
    }

    /** The life of a job. */
    public enum State {
        PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED
    }
}
