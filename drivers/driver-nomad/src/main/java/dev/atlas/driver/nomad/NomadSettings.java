package dev.atlas.driver.nomad;

import dev.atlas.api.Secret;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of the Nomad driver ({@code tasks.nomad}).
 *
 * @param address the Nomad HTTP API, such as {@code http://127.0.0.1:4646}
 * @param token the ACL token sent as {@code X-Nomad-Token} on every call; never logged
 * @param namespace the Nomad namespace of the jobs and their variables
 * @param region the region, when not the agent's own
 * @param datacenters where the jobs may be placed
 * @param taskDriver the Nomad task driver ({@code docker}, {@code podman}, {@code exec}, {@code raw_exec} …)
 * @param runAsUser the uid the tasks run as and their secret files belong to; empty leaves the driver's default
 * @param allowUnisolated whether a task driver without container isolation ({@code exec}, {@code raw_exec} …) may
 *     run the task's code; off by default, because such a task sees the client's file system and network
 */
public record NomadSettings(
    URI address,
    Secret token,
    String namespace,
    Optional<String> region,
    List<String> datacenters,
    String taskDriver,
    Optional<Long> runAsUser,
    boolean allowUnisolated) {

    public static final String DEFAULT_NAMESPACE = "default";
    public static final List<String> DEFAULT_DATACENTERS = List.of("dc1");
    public static final String DEFAULT_TASK_DRIVER = "docker";
    /** The uid of the "nonroot" user in distroless images; the default for container task drivers. */
    public static final long DEFAULT_RUN_AS_USER = 65532;

    /** The task drivers that run images in containers: the only ones isolated enough for the task's code. */
    public static final Set<String> CONTAINER_DRIVERS = Set.of("docker", "podman",
        "containerd-driver");

    /** Whether the task driver runs images (and so takes an {@code image} in its config). */
    boolean runsImages() {
        return CONTAINER_DRIVERS.contains(taskDriver);
    }
}
