package dev.atlas.api.driver;

import dev.atlas.api.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a driver needs to run one task, whatever the backend. The job contract (SPEC §6, "jobs hold no VCS
 * secret and talk only to Atlas"): every container sees {@code ATLAS_TASK_DIR} holding {@link #taskFiles()}
 * ({@code task.json}, {@code patch.diff}), {@code ATLAS_WORKSPACE} and {@code ATLAS_RESULTS_DIR}, folders shared by
 * all containers of the job. Only the containers whose {@link ContainerSpec#seesSecrets()} also see
 * {@code ATLAS_SECRETS_DIR} holding {@link #secretFiles()} (Atlas's per-task tokens, never a VCS credential) as
 * mounted files. Drivers set these variables to where they mounted the folders; secrets never go into a command
 * line or a plain environment value. Pods, allocations and sandboxes of a job carry the label
 * {@value #JOB_LABEL}{@code : "true"} so that network rules can single them out.
 *
 * @param taskId the task id, the key of idempotency
 * @param type the task type ({@code analysis}, {@code autofix}, {@code transformer}, {@code patch})
 * @param appId the VCS app the task is for
 * @param name the job name, a DNS-1123 label of at most 63 characters derived from the task id
 * @param labels labels the backend attaches to the job ({@code atlas.dev/task-id} …)
 * @param initContainers steps run in order before {@link #main()}: {@code clone}, then the task's own containers
 * @param main the last step: {@code report} (or {@code patch}), Atlas's own code
 * @param taskFiles non-secret files by name
 * @param secretFiles secret files by name
 * @param timeLimit the job's deadline; the backend kills it after that
 */
public record JobSpec(
    String taskId,
    String type,
    String appId,
    String name,
    Map<String, String> labels,
    List<ContainerSpec> initContainers,
    ContainerSpec main,
    Map<String, byte[]> taskFiles,
    Map<String, Secret> secretFiles,
    Duration timeLimit) {

    /** The variable naming the folder of {@link #taskFiles()}. */
    public static final String TASK_DIR_ENV = "ATLAS_TASK_DIR";
    /** The variable naming the folder of {@link #secretFiles()}. */
    public static final String SECRETS_DIR_ENV = "ATLAS_SECRETS_DIR";
    /** The variable naming the workspace shared by the job's containers. */
    public static final String WORKSPACE_ENV = "ATLAS_WORKSPACE";
    /** The variable naming the folder where the task's containers write their result files (JSON). */
    public static final String RESULTS_DIR_ENV = "ATLAS_RESULTS_DIR";
    /** The label every job's pods carry (value {@code "true"}); the chart's NetworkPolicy selects it. */
    public static final String JOB_LABEL = "atlas.dev/job";
}
