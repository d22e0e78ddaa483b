package dev.atlas.driver.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.JobRef;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus;
import dev.atlas.api.driver.JobStatus.State;
import dev.atlas.api.driver.Resources;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.DriverContract;
import dev.atlas.testkit.TestHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDriverTest extends DriverContract {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    /** Where Atlas's own (unsandboxed) steps of a test copy what the test checks after the job's folder is cleared. */
    @TempDir
    Path out;

    private final List<Driver> opened = new ArrayList<>();

    @AfterEach
    void closeDrivers() {
        opened.forEach(Driver::close);
    }

    @Override
    protected Driver driver() throws Exception {
        return open(Map.of());
    }

    private LocalDriver open(Map<String, Object> extra) throws Exception {
        Map<String, Object> section = new HashMap<>(Map.of("workDir", dataDir.resolve("work").toString()));
        section.putAll(extra);
        ProblemList problems = new ProblemList();
        LocalDriver driver = (LocalDriver) new LocalDriverFactory()
            .configure(ConfigTrees.section("tasks.local", section, problems), problems);
        assertThat(problems.lines()).isEmpty();
        driver.open(new TestHost(Clock.systemUTC(), dataDir));
        opened.add(driver);
        return driver;
    }

    private JobSpec job(String taskId, List<ContainerSpec> init, ContainerSpec main, Duration limit) {
        JobSpec base = spec(taskId);
        return new JobSpec(taskId, base.type(), base.appId(), base.name(), base.labels(), init, main,
            base.taskFiles(), base.secretFiles(), limit);
    }

    private static ContainerSpec step(String name, String... command) {
        return new ContainerSpec(name, "busybox:1.36", List.of(command), Map.of(), new Resources("100m", "64Mi"));
    }

    /** A step of Atlas's own ({@code clone}, {@code report}): it sees the secrets; {@code $OUT} is the test's folder. */
    private ContainerSpec atlasStep(String name, String script) {
        return new ContainerSpec(name, "atlas", List.of("sh", "-c", script), Map.of("OUT", out.toString()),
            new Resources("100m", "64Mi"), ContainerSpec.Role.ATLAS);
    }

    /** A step of the task's own code (an analyzer): in the sandbox. */
    private static ContainerSpec taskStep(String name, String script) {
        return new ContainerSpec(name, "busybox:1.36", List.of("sh", "-c", script), Map.of("ATLAS_TASK_ID", "t"),
            new Resources("100m", "64Mi"), ContainerSpec.Role.TASK);
    }

    private static State awaitEnd(Driver driver, String taskId) throws DriverException {
        await().atMost(WAIT).until(() -> driver.status(taskId).map(s -> TaskRecord.isTerminal(s.state()))
            .orElse(false));
        return driver.status(taskId).orElseThrow().state();
    }

    /** A process started by the test whose command line (program name and arguments) contains {@code text}. */
    static Optional<ProcessHandle> childRunning(String text) {
        return ProcessHandle.current().descendants()
            .filter(p -> p.info().commandLine().map(c -> c.contains(text) && !c.contains("bwrap")).orElse(false))
            .findFirst();
    }

    private static Optional<ProcessHandle> bwrapRunning(String text) {
        return ProcessHandle.current().descendants()
            .filter(p -> p.info().commandLine().map(c -> c.contains(text) && c.contains("bwrap")).orElse(false))
            .findFirst();
    }

    private static String environOf(ProcessHandle process) throws java.io.IOException {
        return Files.readString(Path.of("/proc/" + process.pid() + "/environ"), StandardCharsets.ISO_8859_1);
    }

    private Path taskFolder(LocalDriver driver, String taskId) {
        return driver.workDir().resolve("atlas-" + taskId);
    }

    @Test
    void givesAtlasStepsTheTaskFilesAndSecretsAsFilesInTheContractFolders() throws Exception {
        LocalDriver driver = open(Map.of());
        // the command is test data: the secret is read from the file when the job runs, never passed in
        ContainerSpec main = atlasStep("report",
            "cat \"$ATLAS_TASK_DIR/task.json\" > \"$OUT/out\"; cat \"$ATLAS_SECRETS_DIR/clone-token\" >> \"$OUT/out\"");
        driver.submit(job("t-files", List.of(), main, Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-files")).isEqualTo(State.SUCCEEDED);
        assertThat(Files.readString(out.resolve("out"))).isEqualTo("{\"taskId\":\"t-files\"}clone-t-files");
    }

    @Test
    void keepsSecretValuesOutOfAtlasStepsCommandLineAndEnvironment() throws Exception {
        assumeThat(Path.of("/proc/self/environ")).exists();
        LocalDriver driver = open(Map.of());
        driver.submit(job("t-hidden", List.of(), atlasStep("report", "sleep 41"), Duration.ofMinutes(1)));

        await().atMost(WAIT).until(() -> childRunning("sleep 41").isPresent());
        String environ = environOf(childRunning("sleep 41").orElseThrow());

        assertThat(environ).doesNotContain("clone-t-hidden").doesNotContain("result-t-hidden");
        assertThat(environ).contains("ATLAS_SECRETS_DIR=" + taskFolder(driver, "t-hidden").resolve("secrets"));
        assertThat(List.of(environ.split("\0"))).extracting(kv -> kv.substring(0, kv.indexOf('=')))
            .allSatisfy(name -> assertThat(name).isIn("PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR", "JAVA_HOME",
                "OUT", "ATLAS_TASK_DIR", "ATLAS_SECRETS_DIR", "ATLAS_WORKSPACE", "ATLAS_RESULTS_DIR"));
        driver.cancel("t-hidden");
    }

    @Test
    void givesTheTaskStepsOnlyTheJobsVariablesInTheSandbox() throws Exception {
        assumeThat(Path.of("/proc/self/environ")).exists();
        LocalDriver driver = open(Map.of());
        assumeThat(driver.sandboxed()).as("bwrap is installed").isTrue();
        driver.submit(job("t-env", List.of(taskStep("analyzer", "sleep 47")), atlasStep("report", "true"),
            Duration.ofMinutes(1)));

        await().atMost(WAIT).until(() -> childRunning("sleep 47").isPresent());
        String environ = environOf(childRunning("sleep 47").orElseThrow());

        assertThat(List.of(environ.split("\0"))).extracting(kv -> kv.substring(0, kv.indexOf('=')))
            .allSatisfy(name -> assertThat(name).isIn("PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR",
                "ATLAS_TASK_ID", "ATLAS_TASK_DIR", "ATLAS_WORKSPACE", "ATLAS_RESULTS_DIR", "PWD"));
        assertThat(environ).contains("ATLAS_TASK_DIR=/atlas/task", "ATLAS_WORKSPACE=/atlas/workspace",
            "ATLAS_RESULTS_DIR=/atlas/results", "HOME=/tmp").doesNotContain(dataDir.toString());
        // bwrap's first process keeps the environment bwrap was started with (/proc/1/environ inside): none at all
        assertThat(environOf(bwrapRunning("sleep 47").orElseThrow())).isEmpty();
        driver.cancel("t-env");
    }

    @Test
    void keepsTheSecretsFolderPrivateToTheAtlasUser() throws Exception {
        LocalDriver driver = open(Map.of());
        driver.submit(job("t-perms", List.of(), step("main", "sleep", "42"), Duration.ofMinutes(1)));
        Path secrets = taskFolder(driver, "t-perms").resolve("secrets");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve("clone-token"))))
            .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(taskFolder(driver, "t-perms"))))
            .isEqualTo("rwx------");
        assertThat(Files.readString(secrets.resolve("result-token"))).isEqualTo("result-t-perms");
        driver.cancel("t-perms");
    }

    @Test
    void runsInitStepsBeforeTheMainStepSharingTheWorkspace() throws Exception {
        LocalDriver driver = open(Map.of());
        ContainerSpec init = taskStep("analyzer", "echo init >> \"$ATLAS_WORKSPACE/order\"");
        ContainerSpec main = atlasStep("report", "echo main >> \"$ATLAS_WORKSPACE/order\"; "
            + "cp \"$ATLAS_WORKSPACE/order\" \"$OUT/order\"");
        driver.submit(job("t-order", List.of(init), main, Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-order")).isEqualTo(State.SUCCEEDED);
        assertThat(Files.readString(out.resolve("order"))).isEqualTo("init\nmain\n");
    }

    @Test
    void givesEveryStepTheResultsFolderWhereTheTaskWritesItsResults() throws Exception {
        LocalDriver driver = open(Map.of());
        ContainerSpec analyzer = taskStep("analyzer", "echo '{\"status\":\"ok\"}' > \"$ATLAS_RESULTS_DIR/1.json\"");
        ContainerSpec report = atlasStep("report", "cp \"$ATLAS_RESULTS_DIR/1.json\" \"$OUT/\"");
        driver.submit(job("t-results", List.of(analyzer), report, Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-results")).isEqualTo(State.SUCCEEDED);
        assertThat(Files.readString(out.resolve("1.json"))).isEqualTo("{\"status\":\"ok\"}\n");
    }

    @Test
    void runsEveryStepAtALowerCpuPriorityThanAtlas() throws Exception {
        assumeThat(Sandbox.locate(System.getenv("PATH"), "nice")).as("nice on the PATH").isPresent();
        LocalDriver driver = open(Map.of());
        String niceness = "awk '{print $19}' /proc/self/stat";
        ContainerSpec analyzer = taskStep("analyzer", niceness + " > \"$ATLAS_RESULTS_DIR/nice.txt\"");
        ContainerSpec report = atlasStep("report", "cp \"$ATLAS_RESULTS_DIR/nice.txt\" \"$OUT/task-nice\"; "
            + niceness + " > \"$OUT/atlas-nice\"");
        driver.submit(job("t-nice", List.of(analyzer), report, Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-nice")).isEqualTo(State.SUCCEEDED);
        int atlas = Integer.parseInt(Files.readString(Path.of("/proc/self/stat")).split(" ")[18]);
        String expected = Integer.toString(Math.min(19, atlas + StepProcesses.NICENESS));
        assertThat(Files.readString(out.resolve("task-nice")).trim()).isEqualTo(expected);
        assertThat(Files.readString(out.resolve("atlas-nice")).trim()).isEqualTo(expected);
    }

    @Test
    void skipsTheMainStepAndFailsWhenAnInitStepFails() throws Exception {
        LocalDriver driver = open(Map.of());
        ContainerSpec init = taskStep("analyzer", "exit 3");
        ContainerSpec main = atlasStep("report", "touch \"$OUT/main-ran\"");
        driver.submit(job("t-initfail", List.of(init), main, Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-initfail")).isEqualTo(State.FAILED);
        assertThat(driver.status("t-initfail").orElseThrow().detail()).contains("analyzer").contains("exit code 3");
        assertThat(out.resolve("main-ran")).doesNotExist();
    }

    @Test
    void reportsTheExitCodeOfAFailedMainStep() throws Exception {
        LocalDriver driver = open(Map.of());
        driver.submit(job("t-exit", List.of(), step("main", "sh", "-c", "exit 7"), Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-exit")).isEqualTo(State.FAILED);
        assertThat(driver.status("t-exit").orElseThrow().detail()).contains("exit code 7");
    }

    @Test
    void writesEachStepsOutputToItsLogFileWhileTheJobRuns() throws Exception {
        LocalDriver driver = open(Map.of());
        driver.submit(job("t-log", List.of(), step("main", "sh", "-c", "echo out; echo err >&2; sleep 48"),
            Duration.ofMinutes(1)));
        Path log = taskFolder(driver, "t-log").resolve("logs/main.log");

        await().atMost(WAIT).until(() -> Files.exists(log) && Files.readString(log).contains("err"));
        assertThat(Files.readString(log)).contains("out", "err");
        driver.cancel("t-log");
    }

    @Test
    void killsAJobThatOutlivesItsTimeLimit() throws Exception {
        LocalDriver driver = open(Map.of());
        driver.submit(job("t-slow", List.of(), step("main", "sh", "-c", "sleep 60; echo 43"), Duration.ofSeconds(1)));

        assertThat(awaitEnd(driver, "t-slow")).isEqualTo(State.FAILED);
        assertThat(driver.status("t-slow").orElseThrow().detail()).contains("time limit");
        await().atMost(WAIT).until(() -> ProcessHandle.current().descendants()
            .noneMatch(p -> p.info().arguments().map(a -> String.join(" ", a).contains("echo 43")).orElse(false)));
    }

    @Test
    void cancelKillsARunningJob() throws Exception {
        LocalDriver driver = open(Map.of());
        driver.submit(job("t-kill", List.of(), step("main", "sleep", "44"), Duration.ofMinutes(1)));
        await().atMost(WAIT).until(() -> childRunning("sleep 44").isPresent());
        ProcessHandle sleeper = childRunning("sleep 44").orElseThrow();

        assertThat(driver.cancel("t-kill")).isTrue();

        await().atMost(WAIT).until(() -> !sleeper.isAlive());
        assertThat(driver.status("t-kill").orElseThrow().state()).isEqualTo(State.CANCELLED);
    }

    @Test
    void keepsFurtherJobsPendingWhileMaxConcurrentJobsRun() throws Exception {
        LocalDriver driver = open(Map.of("maxConcurrent", 1));
        driver.submit(job("t-first", List.of(), step("main", "sleep", "45"), Duration.ofMinutes(1)));
        driver.submit(spec("t-second"));
        await().atMost(WAIT).until(() -> childRunning("sleep 45").isPresent());

        assertThat(driver.status("t-second").orElseThrow().state()).isEqualTo(State.PENDING);
        driver.cancel("t-first");
        assertThat(awaitEnd(driver, "t-second")).isEqualTo(State.SUCCEEDED);
    }

    @Test
    void refusesATaskAsUnavailableWhenItsQueueIsFullAndCreatesNothingForIt() throws Exception {
        LocalDriver driver = open(Map.of("maxConcurrent", 1, "maxQueued", 1));
        driver.submit(job("t-busy", List.of(), step("main", "sleep", "47"), Duration.ofMinutes(1)));
        await().atMost(WAIT).until(() -> childRunning("sleep 47").isPresent());
        driver.submit(spec("t-waiting"));

        assertThatThrownBy(() -> driver.submit(spec("t-one-too-many"))).isInstanceOfSatisfying(DriverException.class,
            e -> {
                assertThat(e.kind()).isEqualTo(DriverException.Kind.UNAVAILABLE);
                assertThat(e.getMessage()).contains("queue is full");
            });
        assertThat(driver.status("t-one-too-many")).isEmpty();
        assertThat(taskFolder(driver, "t-one-too-many")).doesNotExist();
        // a repeat of a task already queued is still answered: it takes no place in the queue
        assertThat(driver.submit(spec("t-waiting")).created()).isFalse();

        driver.cancel("t-busy");
        assertThat(awaitEnd(driver, "t-waiting")).isEqualTo(State.SUCCEEDED);
        assertThat(driver.submit(spec("t-one-too-many")).created()).isTrue();
        assertThat(awaitEnd(driver, "t-one-too-many")).isEqualTo(State.SUCCEEDED);
    }

    @Test
    void createsOneJobWhenTheSameTaskArrivesOnManyThreadsAtOnce() throws Exception {
        LocalDriver driver = open(Map.of());
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<JobRef>> refs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                refs.add(callers.submit(() -> {
                    start.await();
                    return driver.submit(spec("t-race"));
                }));
            }
            start.countDown();
            List<JobRef> answers = new ArrayList<>();
            for (java.util.concurrent.Future<JobRef> ref : refs) {
                answers.add(ref.get(20, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(answers).filteredOn(JobRef::created).hasSize(1);
            assertThat(answers).extracting(JobRef::ref).containsOnly("local/atlas-t-race");
        } finally {
            callers.shutdownNow();
        }
        assertThat(awaitEnd(driver, "t-race")).isEqualTo(State.SUCCEEDED);
        try (java.util.stream.Stream<Path> folders = Files.list(driver.workDir())) {
            assertThat(folders.map(f -> f.getFileName().toString())).containsExactly("atlas-t-race");
        }
    }

    @Test
    void remembersFinishedTasksAcrossARestart() throws Exception {
        LocalDriver first = open(Map.of());
        JobRef ref = first.submit(spec("t-restart"));
        awaitEnd(first, "t-restart");
        first.close();

        LocalDriver second = open(Map.of());
        JobStatus status = second.status("t-restart").orElseThrow();
        assertThat(status.state()).isEqualTo(State.SUCCEEDED);
        assertThat(status.jobRef()).isEqualTo(ref.ref());
        assertThat(second.submit(spec("t-restart"))).isEqualTo(new JobRef(ref.ref(), false));
    }

    @Test
    void reportsAJobInterruptedByARestartAsFailedAndKillsWhatItLeftRunning() throws Exception {
        LocalDriver first = open(Map.of());
        first.submit(job("t-orphan", List.of(), step("main", "sleep", "46"), Duration.ofMinutes(1)));
        await().atMost(WAIT).until(() -> childRunning("sleep 46").isPresent());
        ProcessHandle sleeper = childRunning("sleep 46").orElseThrow();
        opened.remove(first);
        // no close(): as after kill -9, the process outlives the driver that started it

        LocalDriver second = open(Map.of());
        await().atMost(WAIT).until(() -> !sleeper.isAlive());
        assertThat(second.status("t-orphan").orElseThrow().state()).isEqualTo(State.FAILED);
        assertThat(second.status("t-orphan").orElseThrow().detail()).contains("restarted");
        first.close();
    }

    @Test
    void rejectsAJobNameThatCouldLeaveTheWorkFolder() throws Exception {
        LocalDriver driver = open(Map.of());
        JobSpec base = spec("t-escape");
        JobSpec evil = new JobSpec("t-escape", "analysis", "app-1", "../escape", base.labels(), List.of(), base.main(),
            base.taskFiles(), base.secretFiles(), base.timeLimit());

        assertThatThrownBy(() -> driver.submit(evil)).isInstanceOf(DriverException.class)
            .extracting(e -> ((DriverException) e).kind()).isEqualTo(DriverException.Kind.REJECTED);
        assertThat(dataDir.resolve("work/escape")).doesNotExist();
    }

    @Test
    void rejectsASecretFileNameThatIsAPath() throws Exception {
        LocalDriver driver = open(Map.of());
        JobSpec base = spec("t-path");
        JobSpec evil = new JobSpec("t-path", "analysis", "app-1", base.name(), base.labels(), List.of(), base.main(),
            base.taskFiles(), Map.of("../../x", Secret.of("v")), base.timeLimit());

        assertThatThrownBy(() -> driver.submit(evil)).isInstanceOf(DriverException.class);
        assertThat(driver.status("t-path")).isEmpty();
    }

    @Test
    void reportsItselfDownWhenTheWorkFolderIsGone() throws Exception {
        LocalDriver driver = open(Map.of());
        TaskFolder.deleteTree(driver.workDir());

        assertThat(driver.health().up()).isFalse();
    }

    @Test
    void reportsUnknownKeysAndABadMaxConcurrentWithTheirFullKeys() {
        ProblemList problems = new ProblemList();
        new LocalDriverFactory().configure(ConfigTrees.section("tasks.local",
            Map.of("maxConcurrent", 0, "maxQueued", 0, "shell", "/bin/sh", "unsandboxed", "sometimes"), problems),
            problems);

        assertThat(problems.lines()).anySatisfy(l -> assertThat(l).startsWith("tasks.local.maxConcurrent:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.local.maxQueued:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.local.shell:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.local.unsandboxed:"));
    }

    @Test
    void defaultsTheWorkFolderToJobsInTheDataFolder() throws Exception {
        ProblemList problems = new ProblemList();
        LocalDriver driver = (LocalDriver) new LocalDriverFactory()
            .configure(ConfigTrees.absent("tasks.local", problems), problems);
        driver.open(new TestHost(Clock.systemUTC(), dataDir));
        opened.add(driver);

        assertThat(problems.lines()).isEmpty();
        assertThat(driver.workDir()).isEqualTo(dataDir.resolve("jobs").toAbsolutePath());
    }
}
