package dev.atlas.driver.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.JobRef;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus.State;
import dev.atlas.api.driver.Resources;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.DriverContract;
import dev.atlas.testkit.MutableClock;
import dev.atlas.testkit.TestHost;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NomadDriverTest extends DriverContract {
    private static final String NS = "atlas";
    private FakeNomad nomad;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<Driver> opened = new ArrayList<>();

    @BeforeEach
    void startNomad() throws Exception {
        nomad = new FakeNomad(NS);
    }

    @AfterEach
    void stop() {
        opened.forEach(Driver::close);
        nomad.close();
        assertThat(nomad.violations()).as("requests Nomad's API would refuse").isEmpty();
    }

    @Override
    protected Driver driver() throws Exception {
        return open(nomad.address(), Map.of());
    }

    private NomadDriver open(String address, Map<String, Object> extra) throws Exception {
        Map<String, Object> section = new HashMap<>(Map.of("address", address, "token", FakeNomad.TOKEN,
            "namespace", NS, "datacenters", List.of("dc1", "dc2")));
        section.putAll(extra);
        ProblemList problems = new ProblemList();
        NomadDriver driver = (NomadDriver) new NomadDriverFactory()
            .configure(ConfigTrees.section("tasks.nomad", section, problems), problems);
        assertThat(problems.lines()).isEmpty();
        driver.open(new TestHost(clock, Files.createTempDirectory("atlas-nomad")));
        opened.add(driver);
        return driver;
    }

    private JobSpec withInit(String taskId, Map<String, byte[]> taskFiles) {
        JobSpec base = spec(taskId);
        return new JobSpec(taskId, base.type(), base.appId(), base.name(), base.labels(),
            List.of(new ContainerSpec("clone", "atlas/clone:1", List.of("atlas", "clone", "--depth", "1"), Map.of(),
                new Resources("1", "1Gi"), ContainerSpec.Role.ATLAS)),
            base.main(), taskFiles, base.secretFiles(), Duration.ofMinutes(5));
    }

    /** Tokens as long as real ones: the driver ignores values too short to be a token. */
    private static String token(String kind, String taskId) {
        return "eyJhbGciOiJFUzI1NiJ9." + kind + "." + taskId;
    }

    /** A job as JobBuilder makes it (SPEC §6): {@code clone} and {@code report} (Atlas's) around the analyzer. */
    private JobSpec threeParts(String taskId) {
        JobSpec base = spec(taskId);
        Map<String, String> atlasEnv = Map.of("ATLAS_TASK_ID", taskId, "ATLAS_JOB_URL",
            "http://atlas.service.consul:8080/jobs/" + taskId, "GIT_TERMINAL_PROMPT", "0");
        Map<String, String> labels = new HashMap<>(base.labels());
        labels.put(JobSpec.JOB_LABEL, "true");
        return new JobSpec(taskId, base.type(), base.appId(), base.name(), labels, List.of(
            new ContainerSpec("clone", "alpine/git:2.47.2", List.of("sh", "-c", "git fetch"), atlasEnv,
                new Resources("250m", "256Mi"), ContainerSpec.Role.ATLAS),
            new ContainerSpec("lint", "cloud/lint:1", List.of("sh", "-c", "cat $ATLAS_SECRETS_DIR/*"),
                Map.of("ATLAS_TASK_ID", taskId, "ATLAS_TASK_TYPE", "analysis"), new Resources("100m", "64Mi"))),
            new ContainerSpec("report", "atlas:0.1.0", List.of("sh", "-c", "exec atlas report"), atlasEnv,
                new Resources("500m", "512Mi"), ContainerSpec.Role.ATLAS),
            base.taskFiles(), Map.of("clone-username", Secret.of("atlas"),
                "clone-token", Secret.of(token("git", taskId)), "result-token", Secret.of(token("result", taskId))),
            Duration.ofMinutes(5));
    }

    private JsonNode registered(String jobId) {
        return nomad.jobs().get(jobId);
    }

    private static JsonNode task(JsonNode job, String name) {
        for (JsonNode task : job.path("TaskGroups").get(0).path("Tasks")) {
            if (task.path("Name").asText().equals(name)) {
                return task;
            }
        }
        throw new AssertionError("no task " + name);
    }

    private static DriverException.Kind kindOf(Throwable e) {
        return ((DriverException) e).kind();
    }

    @Test
    void registersOneBatchJobThatNeverRestartsOrReschedules() throws Exception {
        JobRef ref = driver().submit(withInit("t-shape", spec("t-shape").taskFiles()));

        assertThat(ref).isEqualTo(new JobRef(NS + "/job/atlas-t-shape", true));
        JsonNode job = registered("atlas-t-shape");
        assertThat(job.path("Type").asText()).isEqualTo("batch");
        assertThat(job.path("Namespace").asText()).isEqualTo(NS);
        assertThat(job.path("Datacenters").toString()).isEqualTo("[\"dc1\",\"dc2\"]");
        assertThat(job.path("Meta").path("atlas_task_id").asText()).isEqualTo("t-shape");
        assertThat(job.path("Meta").path("atlas_type").asText()).isEqualTo("analysis");
        assertThat(job.path("Meta").path("atlas_app").asText()).isEqualTo("app-1");
        JsonNode group = job.path("TaskGroups").get(0);
        assertThat(group.path("Count").asInt()).isEqualTo(1);
        assertThat(group.path("RestartPolicy").path("Attempts").asInt()).isZero();
        assertThat(group.path("RestartPolicy").path("Mode").asText()).isEqualTo("fail");
        assertThat(group.path("ReschedulePolicy").path("Attempts").asInt()).isZero();
        assertThat(group.path("ReschedulePolicy").path("Unlimited").asBoolean()).isFalse();
        assertThat(task(job, "clone").path("Lifecycle").path("Hook").asText()).isEqualTo("prestart");
        assertThat(task(job, "clone").path("Lifecycle").path("Sidecar").asBoolean()).isFalse();
        assertThat(task(job, "main").has("Lifecycle")).isFalse();
    }

    @Test
    void runsTheCommandInTheImageAsANonRootUserWithMappedResources() throws Exception {
        driver().submit(withInit("t-task", spec("t-task").taskFiles()));

        JsonNode clone = task(registered("atlas-t-task"), "clone");
        assertThat(clone.path("Driver").asText()).isEqualTo("docker");
        assertThat(clone.path("User").asText()).isEqualTo("65532");
        assertThat(clone.path("Config").path("image").asText()).isEqualTo("atlas/clone:1");
        assertThat(clone.path("Config").path("command").asText()).isEqualTo("atlas");
        assertThat(clone.path("Config").path("args").toString()).isEqualTo("[\"clone\",\"--depth\",\"1\"]");
        assertThat(clone.path("Resources").path("CPU").asInt()).isEqualTo(1000);
        assertThat(clone.path("Resources").path("MemoryMB").asInt()).isEqualTo(1024);
        JsonNode main = task(registered("atlas-t-task"), "main");
        assertThat(main.path("Resources").path("CPU").asInt()).isEqualTo(100);
        assertThat(main.path("Resources").path("MemoryMB").asInt()).isEqualTo(64);
        assertThat(main.path("Env").path("ATLAS_TASK_TYPE").asText()).isEqualTo("analysis");
    }

    @Test
    void pointsTheContractVariablesAtNomadsTaskSecretsAndAllocFolders() throws Exception {
        driver().submit(threeParts("t-env"));

        for (String name : List.of("clone", "lint", "report")) {
            JsonNode env = task(registered("atlas-t-env"), name).path("Env");
            assertThat(env.path("ATLAS_TASK_DIR").asText()).isEqualTo("${NOMAD_TASK_DIR}/task");
            assertThat(env.path("ATLAS_WORKSPACE").asText()).isEqualTo("${NOMAD_ALLOC_DIR}/data");
            assertThat(env.path("ATLAS_RESULTS_DIR").asText()).isEqualTo("${NOMAD_ALLOC_DIR}/tmp");
            if (name.equals("lint")) {
                assertThat(env.has("ATLAS_SECRETS_DIR")).as(name).isFalse();
            } else {
                assertThat(env.path("ATLAS_SECRETS_DIR").asText()).as(name).isEqualTo("${NOMAD_SECRETS_DIR}");
            }
        }
    }

    @Test
    void ordersCloneTheTasksContainerAndReportByLifecycleHookInABridgeNetwork() throws Exception {
        driver().submit(threeParts("t-hooks"));

        JsonNode job = registered("atlas-t-hooks");
        JsonNode group = job.path("TaskGroups").get(0);
        assertThat(group.path("Networks")).singleElement()
            .satisfies(n -> assertThat(n.path("Mode").asText()).isEqualTo("bridge"));
        assertThat(group.path("Tasks")).extracting(t -> t.path("Name").asText())
            .containsExactly("clone", "lint", "report");
        assertThat(task(job, "clone").path("Lifecycle").path("Hook").asText()).isEqualTo("prestart");
        assertThat(task(job, "lint").has("Lifecycle")).as("the task's container is the main task").isFalse();
        assertThat(task(job, "report").path("Lifecycle").path("Hook").asText()).isEqualTo("poststop");
        assertThat(task(job, "report").path("Lifecycle").path("Sidecar").asBoolean()).isFalse();
    }

    /**
     * What a hostile analyzer could reach, read off the job JSON Nomad received: its task renders no template of
     * the variable, gets no secrets folder variable, no env value holding a token and no workload identity; the
     * job carries the job label as meta; the group has its own (bridge) network.
     */
    @Test
    void aHostileAnalyzerFindsNoTokenInItsTask() throws Exception {
        JobSpec spec = threeParts("t-hostile");
        driver().submit(spec);

        JsonNode job = registered("atlas-t-hostile");
        JsonNode lint = task(job, "lint");
        assertThat(lint.path("Templates")).allSatisfy(t -> {
            assertThat(t.path("EmbeddedTmpl").asText()).doesNotContain("nomadVar").doesNotContain("secret")
                .doesNotContain("env ").doesNotContain("file ");
            assertThat(t.path("DestPath").asText()).startsWith("local/task/");
        });
        assertThat(lint.has("Identity")).isFalse();
        assertThat(lint.has("Identities")).isFalse();
        assertThat(lint.has("Vault")).isFalse();
        assertThat(lint.path("Env").has("ATLAS_SECRETS_DIR")).isFalse();
        for (Secret secret : spec.secretFiles().values()) {
            if (secret.reveal().length() >= 16) {
                assertThat(lint.toString()).doesNotContain(secret.reveal());
                assertThat(job.toString()).doesNotContain(secret.reveal());
            }
        }
        for (String atlas : List.of("clone", "report")) {
            assertThat(task(job, atlas).path("Templates")).anySatisfy(t ->
                assertThat(t.path("DestPath").asText()).isEqualTo("secrets/clone-token"));
        }
        assertThat(job.path("Meta").path("atlas.dev/job").asText()).isEqualTo("true");
        assertThat(job.path("Meta").path("atlas.dev/task-id").asText()).isEqualTo("t-hostile");
        assertThat(job.path("TaskGroups").get(0).path("Networks").get(0).path("Mode").asText()).isEqualTo("bridge");
    }

    @ParameterizedTest
    @ValueSource(strings = {"env", "command"})
    void refusesAStepThatCarriesATokenOutsideTheSecretFiles(String where) throws Exception {
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
        assertThat(nomad.variables()).isEmpty();
        assertThat(nomad.jobs()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"exec", "raw_exec", "java"})
    void refusesATaskDriverWithoutContainerIsolationUnlessAllowed(String taskDriver) {
        ProblemList problems = new ProblemList();
        new NomadDriverFactory().configure(ConfigTrees.section("tasks.nomad", Map.of("address", nomad.address(),
            "token", FakeNomad.TOKEN, "driver", taskDriver), problems), problems);

        assertThat(problems.lines()).singleElement().satisfies(l -> assertThat(l)
            .startsWith("tasks.nomad.driver:").contains(taskDriver).contains("tasks.nomad.allowUnisolated: true"));

        ProblemList allowed = new ProblemList();
        new NomadDriverFactory().configure(ConfigTrees.section("tasks.nomad", Map.of("address", nomad.address(),
            "token", FakeNomad.TOKEN, "driver", taskDriver, "allowUnisolated", true), allowed), allowed);
        assertThat(allowed.lines()).isEmpty();
    }

    @Test
    void storesTheSecretsInTheJobsVariableAndNeverInTheJob() throws Exception {
        driver().submit(withInit("t-secret", spec("t-secret").taskFiles()));

        JsonNode variable = nomad.variables().get("nomad/jobs/atlas-t-secret");
        assertThat(variable.path("Namespace").asText()).isEqualTo(NS);
        assertThat(variable.path("Items").path("clone_token").asText()).isEqualTo("clone-t-secret");
        assertThat(variable.path("Items").path("result_token").asText()).isEqualTo("result-t-secret");
        String job = registered("atlas-t-secret").toString();
        for (String value : List.of("clone-t-secret", "result-t-secret")) {
            assertThat(job).doesNotContain(value)
                .doesNotContain(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(nomad.requests()).containsSubsequence("PUT /v1/var/nomad/jobs/atlas-t-secret", "POST /v1/jobs");
    }

    @Test
    void rendersEachSecretFileFromTheVariableIntoTheSecretsDirOfAtlassOwnTasks() throws Exception {
        driver().submit(threeParts("t-tmpl"));

        for (String name : List.of("clone", "report")) {
            JsonNode templates = task(registered("atlas-t-tmpl"), name).path("Templates");
            assertThat(templates).anySatisfy(t -> {
                assertThat(t.path("DestPath").asText()).isEqualTo("secrets/clone-token");
                assertThat(t.path("EmbeddedTmpl").asText())
                    .isEqualTo("{{ with nomadVar \"nomad/jobs/atlas-t-tmpl\" }}{{ .clone_token }}{{ end }}");
                assertThat(t.path("Perms").asText()).isEqualTo("0400");
                assertThat(t.path("Uid").asInt()).isEqualTo(65532);
                assertThat(t.path("ChangeMode").asText()).isEqualTo("noop");
                assertThat(t.path("ErrMissingKey").asBoolean()).isTrue();
            }).anySatisfy(t -> assertThat(t.path("DestPath").asText()).isEqualTo("secrets/result-token"));
        }
        assertThat(task(registered("atlas-t-tmpl"), "lint").path("Templates"))
            .noneSatisfy(t -> assertThat(t.path("DestPath").asText()).startsWith("secrets/"));
    }

    @Test
    void embedsTaskFilesByteForByteWithoutTemplateInterpretation() throws Exception {
        byte[] patch = "+{{ with nomadVar \"nomad/jobs/other\" }}{{ . }}{{ end }}\n".getBytes(StandardCharsets.UTF_8);
        byte[] binary = {(byte) 0xff, 0x00, (byte) 0xfe};
        driver().submit(withInit("t-files", Map.of("task.json", "{}".getBytes(StandardCharsets.UTF_8),
            "patch.diff", patch, "blob.bin", binary)));

        Map<String, byte[]> rendered = new HashMap<>();
        Pattern decode = Pattern.compile("\\{\\{ base64Decode \"([A-Za-z0-9+/=]*)\" }}");
        for (JsonNode t : task(registered("atlas-t-files"), "main").path("Templates")) {
            Matcher m = decode.matcher(t.path("EmbeddedTmpl").asText());
            if (m.matches()) {
                rendered.put(t.path("DestPath").asText(), Base64.getDecoder().decode(m.group(1)));
            }
        }
        assertThat(rendered).containsOnlyKeys("local/task/task.json", "local/task/patch.diff", "local/task/blob.bin");
        assertThat(rendered.get("local/task/patch.diff")).isEqualTo(patch);
        assertThat(rendered.get("local/task/blob.bin")).isEqualTo(binary);
    }

    @Test
    void refusesTaskFilesOverOneMebibyteAndCreatesNothing() throws Exception {
        Driver driver = driver();
        byte[] patch = new byte[1024 * 1024 + 1];

        assertThatThrownBy(() -> driver.submit(withInit("t-big", Map.of("patch.diff", patch))))
            .isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.TOO_LARGE));
        assertThat(nomad.jobs()).isEmpty();
        assertThat(nomad.variables()).isEmpty();
    }

    @Test
    void deletesTheVariableWhenTheJobCannotBeRegistered() throws Exception {
        Driver driver = driver();
        nomad.failNext("POST", "/v1/jobs", 500, "rpc error: no leader");

        assertThatThrownBy(() -> driver.submit(spec("t-halfway"))).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.UNAVAILABLE));
        assertThat(nomad.variables()).isEmpty();
        assertThat(nomad.jobs()).isEmpty();
    }

    @Test
    void reportsAJobNomadRefusesAsRejectedAndKeepsNothing() throws Exception {
        Driver driver = driver();
        nomad.failNext("POST", "/v1/jobs", 400, "1 error occurred: * Task group task validation failed");

        assertThatThrownBy(() -> driver.submit(spec("t-invalid"))).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.REJECTED));
        assertThat(nomad.variables()).isEmpty();
    }

    @Test
    void treatsAConcurrentRegistrationOfTheSameTaskAsAlreadySubmitted() throws Exception {
        Driver driver = driver();
        driver.submit(spec("t-race"));
        // the lookup misses the job (registered meanwhile by a concurrent submit): Nomad's index check catches it
        nomad.failNext("GET", "/v1/job/atlas-t-race", 404, "job not found");

        assertThat(driver.submit(spec("t-race"))).isEqualTo(new JobRef(NS + "/job/atlas-t-race", false));
        assertThat(nomad.variables()).containsKey("nomad/jobs/atlas-t-race");
    }

    @Test
    void stopsAJobPastItsTimeLimitAndReportsItFailed() throws Exception {
        Driver driver = driver();
        driver.submit(spec("t-late"));
        nomad.setJobState("atlas-t-late", "running", false, nomad.allocation("running", "main", 0));
        clock.advance(Duration.ofMinutes(6));

        assertThat(driver.status("t-late")).hasValueSatisfying(s -> {
            assertThat(s.state()).isEqualTo(State.FAILED);
            assertThat(s.detail()).contains("time limit");
        });
        assertThat(registered("atlas-t-late").path("Stop").asBoolean()).isTrue();
        assertThat(nomad.variables()).doesNotContainKey("nomad/jobs/atlas-t-late");
        assertThat(driver.status("t-late")).hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(State.FAILED));
    }

    @Test
    void theDeadlineSweepStopsOverdueJobsWithoutAStatusCall() throws Exception {
        NomadDriver driver = (NomadDriver) driver();
        driver.submit(spec("t-sweep"));
        driver.submit(job("t-fresh", Duration.ofHours(1)));
        nomad.setJobState("atlas-t-sweep", "running", false, nomad.allocation("running", "main", 0));
        nomad.setJobState("atlas-t-fresh", "running", false, nomad.allocation("running", "main", 0));
        clock.advance(Duration.ofMinutes(10));

        driver.sweep();

        assertThat(registered("atlas-t-sweep").path("Stop").asBoolean()).isTrue();
        assertThat(registered("atlas-t-fresh").path("Stop").asBoolean()).isFalse();
    }

    private JobSpec job(String taskId, Duration limit) {
        JobSpec base = spec(taskId);
        return new JobSpec(taskId, base.type(), base.appId(), base.name(), base.labels(), base.initContainers(),
            base.main(), base.taskFiles(), base.secretFiles(), limit);
    }

    @Test
    void readsSuccessAndFailureFromTheLatestAllocation() throws Exception {
        Driver driver = driver();
        driver.submit(spec("t-ok"));
        driver.submit(spec("t-bad"));
        nomad.setJobState("atlas-t-ok", "dead", false, nomad.allocation("complete", "main", 0));
        nomad.setJobState("atlas-t-bad", "dead", false, nomad.allocation("failed", "main", 3));

        assertThat(driver.status("t-ok")).hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(State.SUCCEEDED));
        assertThat(driver.status("t-bad")).hasValueSatisfying(s -> {
            assertThat(s.state()).isEqualTo(State.FAILED);
            assertThat(s.detail()).contains("main exited with code 3");
        });
        assertThat(nomad.variables()).as("tokens of ended jobs are dropped").isEmpty();
    }

    @Test
    void cancelPurgesTheJobAndDeletesItsVariable() throws Exception {
        Driver driver = driver();
        driver.submit(spec("t-gone"));

        assertThat(driver.cancel("t-gone")).isTrue();
        assertThat(nomad.jobs()).doesNotContainKey("atlas-t-gone");
        assertThat(nomad.variables()).doesNotContainKey("nomad/jobs/atlas-t-gone");
        assertThat(nomad.requests()).contains("DELETE /v1/job/atlas-t-gone");
    }

    @Test
    void refusesASecondInitStepBecauseNomadWouldRunThemTogether() throws Exception {
        JobSpec base = withInit("t-two", spec("t-two").taskFiles());
        List<ContainerSpec> two = List.of(base.initContainers().get(0),
            new ContainerSpec("prepare", "busybox:1.36", List.of("true"), Map.of(), new Resources("100m", "64Mi")));
        JobSpec spec = new JobSpec("t-two", base.type(), base.appId(), base.name(), base.labels(), two, base.main(),
            base.taskFiles(), base.secretFiles(), base.timeLimit());

        assertThatThrownBy(() -> driver().submit(spec)).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.REJECTED));
        assertThat(nomad.variables()).isEmpty();
    }

    @Test
    void reportsNomadUnavailableWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Driver driver = open("http://127.0.0.1:" + port, Map.of());

        assertThatThrownBy(() -> driver.submit(spec("t-down"))).isInstanceOf(DriverException.class)
            .satisfies(e -> assertThat(kindOf(e)).isEqualTo(DriverException.Kind.UNAVAILABLE));
        assertThatThrownBy(() -> driver.status("t-down")).isInstanceOf(DriverException.class);
        assertThat(driver.health().up()).isFalse();
    }

    @Test
    void reportsEveryConfigurationProblemWithItsFullKey() {
        ProblemList problems = new ProblemList();
        new NomadDriverFactory().configure(ConfigTrees.section("tasks.nomad",
            Map.of("namespace", "bad name", "runAsUser", 0, "vault", "x"), problems), problems);

        assertThat(problems.lines()).anySatisfy(l -> assertThat(l).startsWith("tasks.nomad.address:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.nomad.token:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.nomad.namespace:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.nomad.runAsUser:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.nomad.vault:"))
            .noneSatisfy(l -> assertThat(l).contains(FakeNomad.TOKEN));
    }

    @Test
    void leavesImageAndUserOutForDriversWithoutImages() throws Exception {
        NomadDriver driver = open(nomad.address(), Map.of("driver", "raw_exec", "allowUnisolated", true));
        driver.submit(spec("t-raw"));

        JsonNode main = task(registered("atlas-t-raw"), "main");
        assertThat(main.path("Driver").asText()).isEqualTo("raw_exec");
        assertThat(main.path("Config").has("image")).isFalse();
        assertThat(main.has("User")).isFalse();
    }
}
