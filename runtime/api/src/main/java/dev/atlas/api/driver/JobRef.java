package dev.atlas.api.driver;

/**
 * The backend's name for a task's job ({@code atlas-jobs/job/atlas-t-123} on Kubernetes, a Nomad job id, a local
 * process folder).
 *
 * @param ref the reference returned to the cloud as {@code jobRef}
 * @param created false when the job already existed and nothing was created
 */
public record JobRef(String ref, boolean created) {
}
