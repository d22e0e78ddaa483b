package dev.atlas.driver.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.JobRef;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.Resources;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.DriverContract;
import dev.atlas.testkit.TestHost;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesDriverTest extends DriverContract {
    private static final String NS = "atlas-jobs";
    static KubernetesMockServer server;
    static KubernetesClient client;

    private final List<Driver> opened = new ArrayList<>();

    @AfterEach
    void closeDrivers() {
        opened.forEach(Driver::close);
    }

    @Override
    protected Driver driver() throws Exception {
        return open(server.url("/"), Map.of());
    }

    private KubernetesDriver open(String masterUrl, Map<String, Object> extra) throws Exception {
        Map<String, Object> section = new HashMap<>(Map.of("namespace", NS, "masterUrl", masterUrl));
        section.putAll(extra);
        ProblemList problems = new ProblemList();
        KubernetesDriver driver = (KubernetesDriver) new KubernetesDriverFactory()
            .configure(ConfigTrees.section("tasks.kubernetes", section, problems), problems);
        assertThat(problems.lines()).isEmpty();
        driver.open(TestHost.create());
        opened.add(driver);
        return driver;
    }

    private JobSpec withFiles(JobSpec base, Map<String, byte[]> taskFiles, Duration limit) {
        return new JobSpec(base.taskId(), base.type(), base.appId(), base.name(), base.labels(),
            List.of(new ContainerSpec("clone", "atlas/clone:1", List.of("atlas", "clone"), Map.of(),
                new Resources("250m", "128Mi"), ContainerSpec.Role.ATLAS)),
            base.main(), taskFiles, base.secretFiles(), limit);
    }

    /** Tokens as long as real ones: the driver ignores values too short to be a token. */
    private static String token(String kind, String taskId) {
        return "eyJhbGciOiJFUzI1NiJ9." + kind + "." + taskId;
    }

    /**
     * A job as JobBuilder makes it (SPEC §6): {@code clone} (Atlas's), two analyzers of the cloud's choosing, then
     * {@code report} (Atlas's), with Atlas's per-task tokens as the secret files.
     */
    private JobSpec threeParts(String taskId) {
        JobSpec base = spec(taskId);
        Map<String, String> atlasEnv = Map.of("ATLAS_TASK_ID", taskId, "ATLAS_JOB_URL",
            "http://atlas.atlas.svc:8080/jobs/" + taskId, "GIT_TERMINAL_PROMPT", "0");
        Map<String, String> taskEnv = Map.of("ATLAS_TASK_ID", taskId, "ATLAS_TASK_TYPE", "analysis");
        Map<String, String> labels = new HashMap<>(base.labels());
        labels.put(JobSpec.JOB_LABEL, "true");
        return new JobSpec(taskId, base.type(), base.appId(), base.name(), labels, List.of(
            new ContainerSpec("clone", "alpine/git:2.47.2", List.of("sh", "-c", "git fetch"), atlasEnv,
                new Resources("250m", "256Mi"), ContainerSpec.Role.ATLAS),
            new ContainerSpec("lint", "cloud/lint:1", List.of("sh", "-c", "cat $ATLAS_SECRETS_DIR/*"), taskEnv,
                new Resources("100m", "64Mi")),
            new ContainerSpec("scan", "cloud/scan:1", List.of("scan"), taskEnv, new Resources("100m", "64Mi"))),
            new ContainerSpec("report", "atlas:0.1.0", List.of("sh", "-c", "exec atlas report"), atlasEnv,
                new Resources("500m", "512Mi"), ContainerSpec.Role.ATLAS),
            base.taskFiles(), Map.of("clone-username", dev.atlas.api.Secret.of("atlas"),
                "clone-token", dev.atlas.api.Secret.of(token("git", taskId)),
                "result-token", dev.atlas.api.Secret.of(token("result", taskId))), Duration.ofMinutes(5));
    }

    private static List<Container> allContainers(PodSpec pod) {
        List<Container> all = new ArrayList<>(pod.getInitContainers());
        all.addAll(pod.getContainers());
        return all;
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> env = new HashMap<>();
        c.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    private static Job job(String name) {
        return client.batch().v1().jobs().inNamespace(NS).withName(name).get();
    }

    private static DriverException.Kind kindOf(Throwable e) {
        return ((DriverException) e).kind();
    }

    @Test
    void createsAJobWithBackoffZeroDeadlinesAndTheAtlasLabels() throws Exception {
        Driver driver = open(server.url("/"), Map.of("activeDeadlineSeconds", 600, "ttlSecondsAfterFinished", 120));
        JobRef ref = driver.submit(withFiles(spec("t-shape"), spec("t-shape").taskFiles(), Duration.ofMinutes(5)));

        assertThat(ref).isEqualTo(new JobRef(NS + "/job/atlas-t-shape", true));
        Job job = job("atlas-t-shape");
        assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "atlas")
            .containsEntry("atlas.dev/task-id", "t-shape").containsEntry("atlas.dev/type", "analysis")
            .containsEntry("atlas.dev/app", "app-1");
        assertThat(job.getMetadata().getAnnotations()).containsEntry("atlas.dev/task-id", "t-shape");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(300L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(120);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("atlas.dev/task-id", "t-shape");
    }

    @Test
    void capsTheDeadlineAtActiveDeadlineSeconds() throws Exception {
        Driver driver = open(server.url("/"), Map.of("activeDeadlineSeconds", 600));
        driver.submit(withFiles(spec("t-cap"), spec("t-cap").taskFiles(), Duration.ofHours(2)));

        assertThat(job("atlas-t-cap").getSpec().getActiveDeadlineSeconds()).isEqualTo(600L);
    }

    @Test
    void runsPodsNonRootWithoutPrivilegesTokenOrWritableRoot() throws Exception {
        Driver driver = open(server.url("/"), Map.of("runAsUser", 1234, "serviceAccountName", "atlas-job",
            "imagePullSecrets", List.of("registry"), "nodeSelector", Map.of("pool", "jobs"),
            "tolerations", List.of(Map.of("key", "dedicated", "operator", "Equal", "value", "jobs",
                "effect", "NoSchedule"))));
        driver.submit(withFiles(spec("t-secure"), spec("t-secure").taskFiles(), Duration.ofMinutes(5)));

        PodSpec pod = job("atlas-t-secure").getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks()).isFalse();
        assertThat(pod.getServiceAccountName()).isEqualTo("atlas-job");
        assertThat(pod.getImagePullSecrets()).extracting("name").containsExactly("registry");
        assertThat(pod.getNodeSelector()).containsEntry("pool", "jobs");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("dedicated");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1234L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(1234L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("clone");
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("main");
        assertThat(allContainers(pod)).allSatisfy(c -> {
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(c.getResources().getLimits()).isEqualTo(c.getResources().getRequests());
        });
        assertThat(pod.getContainers().get(0).getResources().getLimits())
            .containsEntry("cpu", new Quantity("100m")).containsEntry("memory", new Quantity("64Mi"));
        assertThat(pod.getInitContainers().get(0).getResources().getRequests())
            .containsEntry("cpu", new Quantity("250m")).containsEntry("memory", new Quantity("128Mi"));
    }

    @Test
    void runsCloneThenTheTasksContainersInOrderAsInitContainersAndReportAsTheMainContainer() throws Exception {
        driver().submit(threeParts("t-order"));

        PodSpec pod = job("atlas-t-order").getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("clone", "lint", "scan");
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("report");
        assertThat(pod.getInitContainers()).extracting(Container::getImage)
            .containsExactly("alpine/git:2.47.2", "cloud/lint:1", "cloud/scan:1");
    }

    @Test
    void mountsTheSecretsOnlyIntoAtlassOwnContainers() throws Exception {
        driver().submit(threeParts("t-mounts"));

        PodSpec pod = job("atlas-t-mounts").getSpec().getTemplate().getSpec();
        Map<String, Volume> volumes = new HashMap<>();
        pod.getVolumes().forEach(v -> volumes.put(v.getName(), v));
        assertThat(volumes.get("atlas-task").getConfigMap().getName()).isEqualTo("atlas-t-mounts-task");
        assertThat(volumes.get("atlas-secrets").getSecret().getSecretName()).isEqualTo("atlas-t-mounts-secrets");
        assertThat(volumes.get("atlas-secrets").getSecret().getDefaultMode()).isEqualTo(0400);
        assertThat(volumes.get("atlas-workspace").getEmptyDir()).isNotNull();
        assertThat(volumes.get("atlas-results").getEmptyDir()).isNotNull();
        for (Container c : allContainers(pod)) {
            boolean atlas = Set.of("clone", "report").contains(c.getName());
            assertThat(env(c)).as(c.getName()).containsEntry("ATLAS_TASK_DIR", "/atlas/task")
                .containsEntry("ATLAS_WORKSPACE", "/atlas/workspace")
                .containsEntry("ATLAS_RESULTS_DIR", "/atlas/results");
            assertThat(c.getEnv()).allSatisfy(e -> assertThat(e.getValueFrom()).isNull());
            assertThat(c.getVolumeMounts()).as(c.getName()).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo("atlas-task");
                assertThat(m.getMountPath()).isEqualTo("/atlas/task");
                assertThat(m.getReadOnly()).isTrue();
            }).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo("atlas-workspace");
                assertThat(m.getMountPath()).isEqualTo("/atlas/workspace");
            }).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo("atlas-results");
                assertThat(m.getMountPath()).isEqualTo("/atlas/results");
            });
            if (atlas) {
                assertThat(env(c)).as(c.getName()).containsEntry("ATLAS_SECRETS_DIR", "/atlas/secrets");
                assertThat(c.getVolumeMounts()).anySatisfy(m -> {
                    assertThat(m.getName()).isEqualTo("atlas-secrets");
                    assertThat(m.getMountPath()).isEqualTo("/atlas/secrets");
                    assertThat(m.getReadOnly()).isTrue();
                });
            } else {
                assertThat(env(c)).as(c.getName()).doesNotContainKey("ATLAS_SECRETS_DIR");
                assertThat(c.getVolumeMounts()).as(c.getName()).noneSatisfy(
                    m -> assertThat(m.getName()).isEqualTo("atlas-secrets"));
            }
        }
    }

    /**
     * What a hostile analyzer could reach, read off the Job as the API server stored it: for every container of
     * the cloud's code, no volume backed by a Secret or a service-account token, no env value holding any token,
     * no envFrom, no valueFrom; nothing in the pod mounts a token automatically; the pod carries the job label
     * the NetworkPolicy confines.
     */
    @Test
    void aHostileAnalyzerFindsNoTokenInItsContainer() throws Exception {
        JobSpec spec = threeParts("t-hostile");
        driver().submit(spec);

        PodSpec pod = job("atlas-t-hostile").getSpec().getTemplate().getSpec();
        Set<String> tokenVolumes = new HashSet<>();
        for (Volume v : pod.getVolumes()) {
            boolean projectedToken = v.getProjected() != null && v.getProjected().getSources().stream()
                .anyMatch(p -> p.getServiceAccountToken() != null || p.getSecret() != null);
            if (v.getSecret() != null || projectedToken || v.getCsi() != null) {
                tokenVolumes.add(v.getName());
            }
        }
        assertThat(tokenVolumes).containsExactly("atlas-secrets");
        List<String> secretValues = spec.secretFiles().values().stream().map(dev.atlas.api.Secret::reveal)
            .filter(v -> v.length() >= 16).toList();
        assertThat(secretValues).hasSize(2);
        List<Container> tasks = allContainers(pod).stream()
            .filter(c -> !Set.of("clone", "report").contains(c.getName())).toList();
        assertThat(tasks).extracting(Container::getName).containsExactly("lint", "scan");
        for (Container c : tasks) {
            assertThat(c.getVolumeMounts()).as(c.getName()).noneSatisfy(
                m -> assertThat(tokenVolumes).contains(m.getName()));
            assertThat(c.getVolumeMounts()).as(c.getName()).noneSatisfy(
                m -> assertThat(m.getMountPath()).startsWith("/var/run/secrets"));
            assertThat(c.getEnvFrom()).as(c.getName()).isNullOrEmpty();
            assertThat(c.getVolumeDevices()).as(c.getName()).isNullOrEmpty();
            for (EnvVar e : c.getEnv()) {
                assertThat(e.getValueFrom()).as(c.getName() + " " + e.getName()).isNull();
                assertThat(secretValues).noneSatisfy(v -> assertThat(e.getValue()).contains(v));
            }
            assertThat(secretValues).noneSatisfy(v -> assertThat(String.join(" ", c.getCommand())).contains(v));
        }
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getShareProcessNamespace()).isNotEqualTo(Boolean.TRUE);
        assertThat(job("atlas-t-hostile").getSpec().getTemplate().getMetadata().getLabels())
            .containsEntry("atlas.dev/job", "true");
    }

    @Test
    void labelsThePodForTheNetworkPolicyEvenWhenTheSpecForgets() throws Exception {
        driver().submit(spec("t-label"));

        assertThat(job("atlas-t-label").getSpec().getTemplate().getMetadata().getLabels())
            .containsEntry("atlas.dev/job", "true").containsEntry("atlas.dev/task-id", "t-label");
    }

    @ParameterizedTest
    @ValueSource(strings = {"env", "command"})
    void refusesAContainerThatCarriesATokenOutsideTheSecretFiles(String where) throws Exception {
        JobSpec base = threeParts("t-leak");
        String token = base.secretFiles().get("clone-token").reveal();
        ContainerSpec lint = base.initContainers().get(1);
        ContainerSpec leaking = where.equals("env")
            ? new ContainerSpec("lint", lint.image(), lint.command(), Map.of("GIT_TOKEN", "x" + token),
                lint.resources())
            : new ContainerSpec("lint", lint.image(), List.of("lint", "--token=" + token), lint.env(),
                lint.resources());
        JobSpec spec = new JobSpec(base.taskId(), base.type(), base.appId(), base.name(), base.labels(),
            List.of(base.initContainers().get(0), leaking), base.main(), base.taskFiles(), base.secretFiles(),
            base.timeLimit());

        assertThatThrownBy(() -> driver().submit(spec)).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.REJECTED))
            .hasMessageContaining("lint").hasMessageNotContaining(token);
        assertThat(job("atlas-t-leak")).isNull();
        assertThat(client.secrets().inNamespace(NS).withName("atlas-t-leak-secrets").get()).isNull();
    }

    @Test
    void keepsEverySecretValueOutOfTheJob() throws Exception {
        Driver driver = driver();
        driver.submit(withFiles(spec("t-nosecret"), spec("t-nosecret").taskFiles(), Duration.ofMinutes(5)));

        String json = Serialization.asJson(job("atlas-t-nosecret"));
        for (String value : List.of("clone-t-nosecret", "result-t-nosecret")) {
            assertThat(json).doesNotContain(value)
                .doesNotContain(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void putsTheSecretFilesInAnImmutableSecretOwnedByTheJob() throws Exception {
        Driver driver = driver();
        driver.submit(spec("t-secret"));

        Job job = job("atlas-t-secret");
        io.fabric8.kubernetes.api.model.Secret secret = client.secrets().inNamespace(NS)
            .withName("atlas-t-secret-secrets").get();
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(secret.getImmutable()).isTrue();
        assertThat(decode(secret.getData().get("clone-token"))).isEqualTo("clone-t-secret");
        assertThat(decode(secret.getData().get("result-token"))).isEqualTo("result-t-secret");
        assertOwnedBy(secret.getMetadata().getOwnerReferences(), job);
    }

    @Test
    void putsTaskJsonAndThePatchInAConfigMapOwnedByTheJob() throws Exception {
        Driver driver = driver();
        byte[] binaryPatch = {(byte) 0xff, (byte) 0xfe, 0x00, 0x41};
        driver.submit(withFiles(spec("t-config"), Map.of(
            "task.json", "{\"taskId\":\"t-config\"}".getBytes(StandardCharsets.UTF_8),
            "patch.diff", "--- a/x\n+++ b/x\n".getBytes(StandardCharsets.UTF_8),
            "blob.bin", binaryPatch), Duration.ofMinutes(5)));

        ConfigMap configMap = client.configMaps().inNamespace(NS).withName("atlas-t-config-task").get();
        assertThat(configMap.getData()).containsEntry("task.json", "{\"taskId\":\"t-config\"}")
            .containsEntry("patch.diff", "--- a/x\n+++ b/x\n");
        assertThat(Base64.getDecoder().decode(configMap.getBinaryData().get("blob.bin"))).isEqualTo(binaryPatch);
        assertOwnedBy(configMap.getMetadata().getOwnerReferences(), job("atlas-t-config"));
    }

    private static void assertOwnedBy(List<OwnerReference> owners, Job job) {
        assertThat(owners).singleElement().satisfies(o -> {
            assertThat(o.getApiVersion()).isEqualTo("batch/v1");
            assertThat(o.getKind()).isEqualTo("Job");
            assertThat(o.getName()).isEqualTo(job.getMetadata().getName());
            assertThat(o.getUid()).isNotBlank().isEqualTo(job.getMetadata().getUid());
            assertThat(o.getBlockOwnerDeletion()).isTrue();
            assertThat(o.getController()).isFalse();
        });
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    @Test
    void refusesAPatchOverOneMebibyteAndCreatesNothing() throws Exception {
        Driver driver = driver();
        byte[] patch = new byte[1024 * 1024 + 1];
        Arrays.fill(patch, (byte) 'a');

        assertThatThrownBy(() -> driver.submit(withFiles(spec("t-big"), Map.of("patch.diff", patch),
            Duration.ofMinutes(5)))).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.TOO_LARGE));
        assertThat(job("atlas-t-big")).isNull();
        assertThat(client.secrets().inNamespace(NS).withName("atlas-t-big-secrets").get()).isNull();
        assertThat(client.configMaps().inNamespace(NS).withName("atlas-t-big-task").get()).isNull();
    }

    @Test
    void deletesTheJobAgainWhenItsSecretCannotBeCreated() throws Exception {
        Driver driver = driver();
        server.expect().post().withPath("/api/v1/namespaces/" + NS + "/secrets").andReturn(500, "boom").once();

        assertThatThrownBy(() -> driver.submit(spec("t-halfway"))).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.UNAVAILABLE));
        assertThat(job("atlas-t-halfway")).isNull();
        assertThat(client.configMaps().inNamespace(NS).withName("atlas-t-halfway-task").get()).isNull();
    }

    @Test
    void refusesASecretOfTheSameNameItDidNotCreateAndDeletesTheJob() throws Exception {
        Driver driver = driver();
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata()
            .withName("atlas-t-planted-secrets").endMetadata().withStringData(Map.of("clone-token", "planted"))
            .build()).create();

        assertThatThrownBy(() -> driver.submit(spec("t-planted"))).isInstanceOf(DriverException.class);
        assertThat(job("atlas-t-planted")).isNull();
        assertThat(client.configMaps().inNamespace(NS).withName("atlas-t-planted-task").get()).isNull();
        assertThat(client.secrets().inNamespace(NS).withName("atlas-t-planted-secrets").get()).isNotNull();
    }

    @Test
    void recreatesAMissingSecretWhenTheTaskIsSubmittedAgain() throws Exception {
        Driver driver = driver();
        driver.submit(spec("t-repair"));
        client.secrets().inNamespace(NS).withName("atlas-t-repair-secrets").delete();

        assertThat(driver.submit(spec("t-repair")).created()).isFalse();
        io.fabric8.kubernetes.api.model.Secret secret = client.secrets().inNamespace(NS)
            .withName("atlas-t-repair-secrets").get();
        assertThat(secret).isNotNull();
        assertOwnedBy(secret.getMetadata().getOwnerReferences(), job("atlas-t-repair"));
        assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems())
            .filteredOn(j -> j.getMetadata().getName().equals("atlas-t-repair")).hasSize(1);
    }

    @Test
    void refusesAJobNameTakenByAnotherTask() throws Exception {
        Driver driver = driver();
        driver.submit(spec("t-owner"));
        JobSpec other = spec("t-intruder");
        JobSpec clash = new JobSpec("t-intruder", other.type(), other.appId(), "atlas-t-owner", other.labels(),
            other.initContainers(), other.main(), other.taskFiles(), other.secretFiles(), other.timeLimit());

        assertThatThrownBy(() -> driver.submit(clash)).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.REJECTED));
        assertThat(driver.status("t-intruder")).isEmpty();
    }

    @Test
    void findsATaskWhoseIdIsNoValidLabelValue() throws Exception {
        Driver driver = driver();
        String taskId = "Task:ÄÖ/1 with spaces and a very long tail that goes on past sixty-three characters";
        JobSpec base = spec(taskId);
        JobSpec odd = new JobSpec(taskId, base.type(), base.appId(), "atlas-odd-task", base.labels(),
            base.initContainers(), base.main(), base.taskFiles(), base.secretFiles(), base.timeLimit());
        driver.submit(odd);

        Job job = job("atlas-odd-task");
        assertThat(job.getMetadata().getLabels().get("atlas.dev/task-id")).hasSizeLessThanOrEqualTo(63)
            .matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
        assertThat(job.getMetadata().getAnnotations()).containsEntry("atlas.dev/task-id", taskId);
        assertThat(driver.status(taskId)).hasValueSatisfying(s -> assertThat(s.jobRef())
            .isEqualTo(NS + "/job/atlas-odd-task"));
    }

    @Test
    void cancelDeletesTheJobWithItsSecretAndConfigMap() throws Exception {
        Driver driver = driver();
        driver.submit(spec("t-gone"));

        assertThat(driver.cancel("t-gone")).isTrue();
        assertThat(job("atlas-t-gone")).isNull();
        assertThat(client.secrets().inNamespace(NS).withName("atlas-t-gone-secrets").get()).isNull();
        assertThat(client.configMaps().inNamespace(NS).withName("atlas-t-gone-task").get()).isNull();
    }

    @Test
    void reportsTheApiServerUnavailableWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Driver driver = open("http://127.0.0.1:" + port + "/", Map.of());

        assertThatThrownBy(() -> driver.submit(spec("t-down"))).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.UNAVAILABLE));
        assertThatThrownBy(() -> driver.status("t-down")).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.UNAVAILABLE));
        assertThat(driver.health().up()).isFalse();
    }

    @Test
    void reportsEveryConfigurationProblemWithItsFullKey() {
        ProblemList problems = new ProblemList();
        new KubernetesDriverFactory().configure(ConfigTrees.section("tasks.kubernetes", Map.of(
            "activeDeadlineSeconds", 0, "runAsUser", 0, "bogus", true,
            "tolerations", List.of(Map.of("key", "k", "operator", "Maybe"))), problems), problems);

        assertThat(problems.lines()).anySatisfy(l -> assertThat(l).startsWith("tasks.kubernetes.namespace:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.kubernetes.activeDeadlineSeconds:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.kubernetes.runAsUser:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.kubernetes.bogus:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.kubernetes.tolerations[0].operator:"));
    }

    @Test
    void neverPutsSecretsIntoEnvValues() throws Exception {
        Driver driver = driver();
        driver.submit(threeParts("t-env"));

        for (Container c : allContainers(job("atlas-t-env").getSpec().getTemplate().getSpec())) {
            assertThat(c.getEnv()).extracting(EnvVar::getValue)
                .noneMatch(v -> v.contains(token("git", "t-env")) || v.contains(token("result", "t-env")));
        }
    }
}
