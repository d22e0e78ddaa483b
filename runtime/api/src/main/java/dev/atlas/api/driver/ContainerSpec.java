package dev.atlas.api.driver;

import java.util.List;
import java.util.Map;

/**
 * One step of a job: an image and the command run in it.
 *
 * <p>Every job has three parts (SPEC §6): {@code clone} and {@code report} are Atlas's own code ({@link Role#ATLAS}):
 * they alone see {@code ATLAS_SECRETS_DIR} and talk to Atlas's job endpoints. The task's own containers (analyzers,
 * autofixer, transformer) are code the cloud chose ({@link Role#TASK}): a driver never mounts the secrets into them,
 * and runs them with no network but Atlas (Kubernetes, Nomad) or none at all (the local driver's sandbox).
 *
 * @param name a DNS-1123 label unique in the job
 * @param image the container image (the local driver runs {@link Role#ATLAS} commands as processes of the Atlas
 *     distribution and {@link Role#TASK} commands in its sandbox; it does not pull images)
 * @param command the command and its arguments; never holds a secret (secrets are files)
 * @param env plain environment values; never holds a secret
 * @param resources requests and limits
 * @param role whose code this is, and so what it may see
 */
public record ContainerSpec(String name, String image, List<String> command, Map<String, String> env,
    Resources resources, Role role) {

    /** Whose code a container runs. */
    public enum Role {
        /** Atlas's own code ({@code clone}, {@code report}, {@code patch}): gets the secrets, reaches Atlas. */
        ATLAS,
        /** Code the cloud chose: no secret, no token, no network beyond Atlas. */
        TASK
    }

    /** A container of the task's own code ({@link Role#TASK}): the safe default, it sees no secret. */
    public ContainerSpec(String name, String image, List<String> command, Map<String, String> env,
        Resources resources) {
        this(name, image, command, env, resources, Role.TASK);
    }

    /** Whether the driver mounts {@link JobSpec#secretFiles()} into this container. */
    public boolean seesSecrets() {
        return role == Role.ATLAS;
    }
}
