package dev.atlas.driver.kubernetes;

import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.JobSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the three objects of a task: the Job, the Secret with the secret files and the ConfigMap with the task
 * files. Pure functions of the spec and the settings, so the shapes can be checked without a cluster.
 *
 * <p>Mount points (the job contract, SPEC §6): task files at {@value #TASK_DIR}, the workspace and the results folder
 * shared by all containers at {@value #WORKSPACE} and {@value #RESULTS_DIR}. Secret files at {@value #SECRETS_DIR},
 * mounted <em>only</em> into the containers that {@link ContainerSpec#seesSecrets() see secrets} (Atlas's own
 * {@code clone} and {@code report}): the task's containers run code the cloud chose and get no secret, no token and
 * no service-account token. The root file system is read-only, so {@code /tmp} is an emptyDir too.
 */
final class JobManifests {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String TASK_ID = "atlas.dev/task-id";
    static final String TYPE = "atlas.dev/type";
    static final String APP = "atlas.dev/app";
    static final String TASK_DIR = "/atlas/task";
    static final String SECRETS_DIR = "/atlas/secrets";
    static final String WORKSPACE = "/atlas/workspace";
    static final String RESULTS_DIR = "/atlas/results";
    static final String SECRETS_VOLUME = "atlas-secrets";
    /** What the API server accepts in one ConfigMap or Secret: keys plus values, 1 MiB. */
    static final int MAX_DATA_BYTES = 1024 * 1024;
    private static final int SECRET_MODE = 0400;
    private static final int TASK_FILE_MODE = 0444;

    private final KubernetesSettings settings;

    JobManifests(KubernetesSettings settings) {
        this.settings = settings;
    }

    static String secretName(String jobName) {
        return jobName + "-secrets";
    }

    static String configMapName(String jobName) {
        return jobName + "-task";
    }

    /**
     * The labels of all three objects and the pods: the spec's own (among them {@code atlas.dev/job: "true"}, which
     * the chart's NetworkPolicy selects), made valid, and Atlas's four.
     */
    static Map<String, String> labels(JobSpec spec) {
        Map<String, String> labels = new LinkedHashMap<>();
        spec.labels().forEach((k, v) -> labels.put(k, LabelValues.of(v)));
        // whatever the spec says: the chart's NetworkPolicy confines exactly the pods that carry it
        labels.put(JobSpec.JOB_LABEL, "true");
        labels.put(MANAGED_BY, "atlas");
        labels.put(TASK_ID, LabelValues.of(spec.taskId()));
        labels.put(TYPE, LabelValues.of(spec.type()));
        labels.put(APP, LabelValues.of(spec.appId()));
        return labels;
    }

    private static ObjectMeta meta(String name, JobSpec spec) {
        return new ObjectMetaBuilder().withName(name).withLabels(labels(spec))
            .withAnnotations(Map.of(TASK_ID, spec.taskId())).build();
    }

    /** The seconds the job may run: its time limit rounded up, capped by {@code activeDeadlineSeconds}. */
    long activeDeadlineSeconds(Duration timeLimit) {
        if (timeLimit == null || timeLimit.isZero() || timeLimit.isNegative()) {
            return settings.activeDeadlineSeconds();
        }
        long seconds = timeLimit.getSeconds() + (timeLimit.getNano() > 0 ? 1 : 0);
        return Math.min(seconds, settings.activeDeadlineSeconds());
    }

    Job job(JobSpec spec) {
        List<Container> init = new ArrayList<>();
        for (ContainerSpec c : spec.initContainers()) {
            init.add(container(c));
        }
        Map<String, String> labels = labels(spec);
        return new JobBuilder()
            .withMetadata(meta(spec.name(), spec))
            .withNewSpec()
                .withBackoffLimit(0)
                .withActiveDeadlineSeconds(activeDeadlineSeconds(spec.timeLimit()))
                .withTtlSecondsAfterFinished((int) Math.min(Integer.MAX_VALUE, settings.ttlSecondsAfterFinished()))
                .withNewTemplate()
                    .withNewMetadata().withLabels(labels).withAnnotations(Map.of(TASK_ID, spec.taskId())).endMetadata()
                    .withNewSpec()
                        .withRestartPolicy("Never")
                        .withAutomountServiceAccountToken(false)
                        // service links would put every Service of the namespace into the env of the job
                        .withEnableServiceLinks(false)
                        .withServiceAccountName(settings.serviceAccountName().orElse(null))
                        .withImagePullSecrets(settings.imagePullSecrets().stream()
                            .map(LocalObjectReference::new).toList())
                        .withNodeSelector(settings.nodeSelector().isEmpty() ? null : settings.nodeSelector())
                        .withTolerations(tolerations())
                        .withNewSecurityContext()
                            .withRunAsNonRoot(true)
                            .withRunAsUser(settings.runAsUser())
                            .withRunAsGroup(settings.runAsUser())
                            // kubelet gives the mounted files this group, so the non-root user can read them
                            .withFsGroup(settings.runAsUser())
                            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                        .endSecurityContext()
                        .withInitContainers(init)
                        .withContainers(container(spec.main()))
                        .withVolumes(volumes(spec.name()))
                    .endSpec()
                .endTemplate()
            .endSpec()
            .build();
    }

    private List<Toleration> tolerations() {
        return settings.tolerations().stream().map(t -> new TolerationBuilder().withKey(t.key())
            .withOperator(t.operator()).withValue(t.value()).withEffect(t.effect()).build()).toList();
    }

    private static List<Volume> volumes(String jobName) {
        return List.of(
            new VolumeBuilder().withName("atlas-task").withNewConfigMap().withName(configMapName(jobName))
                .withDefaultMode(TASK_FILE_MODE).endConfigMap().build(),
            new VolumeBuilder().withName(SECRETS_VOLUME).withNewSecret().withSecretName(secretName(jobName))
                .withDefaultMode(SECRET_MODE).endSecret().build(),
            new VolumeBuilder().withName("atlas-workspace").withNewEmptyDir().endEmptyDir().build(),
            new VolumeBuilder().withName("atlas-results").withNewEmptyDir().endEmptyDir().build(),
            new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    }

    /** The secrets only for Atlas's own containers: the task's containers must not be able to read any token. */
    private static List<VolumeMount> mounts(ContainerSpec c) {
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(new VolumeMountBuilder().withName("atlas-task").withMountPath(TASK_DIR).withReadOnly(true).build());
        if (c.seesSecrets()) {
            mounts.add(new VolumeMountBuilder().withName(SECRETS_VOLUME).withMountPath(SECRETS_DIR).withReadOnly(true)
                .build());
        }
        mounts.add(new VolumeMountBuilder().withName("atlas-workspace").withMountPath(WORKSPACE).build());
        mounts.add(new VolumeMountBuilder().withName("atlas-results").withMountPath(RESULTS_DIR).build());
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        return mounts;
    }

    private static Container container(ContainerSpec c) {
        Map<String, String> env = new LinkedHashMap<>(c.env() == null ? Map.of() : c.env());
        // last, so a container's own env cannot point the contract folders elsewhere
        env.put(JobSpec.TASK_DIR_ENV, TASK_DIR);
        env.put(JobSpec.WORKSPACE_ENV, WORKSPACE);
        env.put(JobSpec.RESULTS_DIR_ENV, RESULTS_DIR);
        if (c.seesSecrets()) {
            env.put(JobSpec.SECRETS_DIR_ENV, SECRETS_DIR);
        } else {
            // a task container's own env must not pretend to a secrets folder either
            env.remove(JobSpec.SECRETS_DIR_ENV);
        }
        Map<String, Quantity> amounts = new LinkedHashMap<>();
        if (c.resources() != null) {
            Optional.ofNullable(c.resources().cpu()).ifPresent(q -> amounts.put("cpu", new Quantity(q)));
            Optional.ofNullable(c.resources().memory()).ifPresent(q -> amounts.put("memory", new Quantity(q)));
        }
        return new ContainerBuilder()
            .withName(c.name())
            .withImage(c.image())
            .withCommand(c.command())
            .withEnv(env.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList())
            .withNewResources().withRequests(amounts).withLimits(amounts).endResources()
            .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
            .endSecurityContext()
            .withVolumeMounts(mounts(c))
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .build();
    }

    /** The Secret with the secret files, immutable. Checked against the size limit before anything is created. */
    io.fabric8.kubernetes.api.model.Secret secret(JobSpec spec) throws DriverException {
        Map<String, String> data = new LinkedHashMap<>();
        long size = 0;
        for (Map.Entry<String, Secret> file : spec.secretFiles().entrySet()) {
            byte[] value = file.getValue().bytes();
            size += file.getKey().length() + value.length;
            data.put(file.getKey(), Base64.getEncoder().encodeToString(value));
        }
        if (size > MAX_DATA_BYTES) {
            throw new DriverException(DriverException.Kind.TOO_LARGE,
                "the secret files take " + size + " bytes; a Secret holds at most " + MAX_DATA_BYTES);
        }
        return new SecretBuilder().withMetadata(meta(secretName(spec.name()), spec)).withType("Opaque")
            .withImmutable(true).withData(data).build();
    }

    /**
     * The ConfigMap with the task files, immutable: text files as {@code data}, anything that is not UTF-8 (a
     * patch of a binary file) as {@code binaryData}, byte for byte. Over 1 MiB is refused, never truncated.
     */
    ConfigMap configMap(JobSpec spec) throws DriverException {
        Map<String, String> text = new LinkedHashMap<>();
        Map<String, String> binary = new LinkedHashMap<>();
        long size = 0;
        for (Map.Entry<String, byte[]> file : spec.taskFiles().entrySet()) {
            size += file.getKey().length() + file.getValue().length;
            Optional<String> utf8 = utf8(file.getValue());
            if (utf8.isPresent()) {
                text.put(file.getKey(), utf8.get());
            } else {
                binary.put(file.getKey(), Base64.getEncoder().encodeToString(file.getValue()));
            }
        }
        if (size > MAX_DATA_BYTES) {
            throw new DriverException(DriverException.Kind.TOO_LARGE,
                "the task files take " + size + " bytes; a ConfigMap holds at most " + MAX_DATA_BYTES);
        }
        return new ConfigMapBuilder().withMetadata(meta(configMapName(spec.name()), spec)).withImmutable(true)
            .withData(text).withBinaryData(binary.isEmpty() ? null : binary).build();
    }

    private static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes {@code owner} the owner of {@code object}: Kubernetes deletes the Secret and the ConfigMap with their
     * Job. {@code blockOwnerDeletion} keeps a foreground delete of the Job waiting for them.
     */
    static <T extends HasMetadata> T ownedBy(T object, Job owner) {
        object.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
            .withApiVersion("batch/v1").withKind("Job").withName(owner.getMetadata().getName())
            .withUid(owner.getMetadata().getUid()).withController(false).withBlockOwnerDeletion(true).build()));
        return object;
    }
}
