package dev.atlas.api.driver;

import dev.atlas.api.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a driver needs to run one task, whatever the backend. The job contract: each container sees
 * {@code ATLAS_TASK_DIR} holding {@link #taskFiles()} ({@code task.json}, {@code patch.diff}),
 * {@code ATLAS_SECRETS_DIR} holding {@link #secretFiles()} ({@code clone-token}, {@code result-token}) as mounted
 * files, and {@code ATLAS_WORKSPACE}, a folder shared by all containers of the job. Drivers set these three
 * variables to where they mounted the files; secrets never go into a command line or a plain environment value.
 *
 * @param taskId the task id, the key of idempotency
 * @param type the task type ({@code analysis}, {@code autofix}, {@code transformer}, {@code patch})
 * @param appId the VCS app the task is for
 * @param name the job name, a DNS-1123 label of at most 63 characters derived from the task id
 * @param labels labels the backend attaches to the job ({@code atlas.dev/task-id} …)
 * @param initContainers steps run in order before {@link #main()} (the clone)
 * @param main the step that does the task's work
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
}
