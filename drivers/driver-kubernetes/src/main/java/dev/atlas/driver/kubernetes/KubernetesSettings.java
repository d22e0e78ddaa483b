package dev.atlas.driver.kubernetes;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of the Kubernetes driver ({@code tasks.kubernetes}).
 *
 * @param namespace where Jobs, Secrets and ConfigMaps are created
 * @param ttlSecondsAfterFinished how long a finished Job (and what it owns) stays before Kubernetes deletes it
 * @param activeDeadlineSeconds the cap on a job's run time; a job gets the smaller of its time limit and this
 * @param serviceAccountName the pods' service account (its token is never mounted)
 * @param imagePullSecrets names of Secrets in {@code namespace} used to pull images
 * @param nodeSelector node labels the pods must match
 * @param tolerations taints the pods tolerate
 * @param masterUrl the API server; empty means fabric8's auto-configuration (in-cluster, then kubeconfig)
 * @param runAsUser the non-root uid (and gid, fsGroup) the pods run as
 */
public record KubernetesSettings(
    String namespace,
    long ttlSecondsAfterFinished,
    long activeDeadlineSeconds,
    Optional<String> serviceAccountName,
    List<String> imagePullSecrets,
    Map<String, String> nodeSelector,
    List<TolerationSetting> tolerations,
    Optional<URI> masterUrl,
    long runAsUser) {

    public static final long DEFAULT_TTL_SECONDS = 3600;
    public static final long DEFAULT_ACTIVE_DEADLINE_SECONDS = 1800;
    /** The uid of the "nonroot" user in distroless images. */
    public static final long DEFAULT_RUN_AS_USER = 65532;

    /** One toleration, as in a pod spec. */
    public record TolerationSetting(String key, String operator, String value, String effect) {
    }
}
