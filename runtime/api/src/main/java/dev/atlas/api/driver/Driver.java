package dev.atlas.api.driver;

import dev.atlas.api.HostContext;
import java.util.Optional;

/**
 * Runs task jobs on an orchestration backend. Every method is idempotent by task id: the cloud retries until it
 * has an answer, and a task must never start twice.
 */
public interface Driver extends AutoCloseable {

    /**
     * Called once at start, before any task arrives. May read local files (kubeconfig, service-account token); must
     * not require the backend to be up (that is {@link #health()}'s business).
     */
    void open(HostContext host) throws Exception;

    /**
     * Creates the job for {@code spec}. Blocks on the backend's API. When a job for the same task id exists already,
     * returns its reference with {@code created == false} and creates nothing. When creation fails part-way, removes
     * what it created before throwing, so nothing is left half-made.
     *
     * @throws DriverException {@link DriverException.Kind#UNAVAILABLE} when the backend cannot be reached (the
     *     task is answered 503 and may be retried), {@link DriverException.Kind#REJECTED} when the backend refused
     *     the job as invalid, {@link DriverException.Kind#TOO_LARGE} when a file does not fit the backend's limits
     */
    JobRef submit(JobSpec spec) throws DriverException;

    /**
     * The job's state as the backend reports it, or empty when there is no job for the task. Blocks on the backend.
     */
    Optional<JobStatus> status(String taskId) throws DriverException;

    /**
     * Stops the job and removes what belongs to it. Returns false when there was no job. Blocks on the backend.
     */
    boolean cancel(String taskId) throws DriverException;

    /** Whether the backend answers now; called by the readiness check, so it must return within a few seconds. */
    DriverHealth health();

    /** Called once at stop, also after a failed {@link #open}. Never throws. */
    @Override
    void close();
}
