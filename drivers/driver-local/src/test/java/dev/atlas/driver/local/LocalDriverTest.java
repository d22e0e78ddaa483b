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

    private static State awaitEnd(Driver driver, String taskId) throws DriverException {
        await().atMost(WAIT).until(() -> driver.status(taskId).map(s -> TaskRecord.isTerminal(s.state()))
            .orElse(false));
        return driver.status(taskId).orElseThrow().state();
    }

    private static Optional<ProcessHandle> childRunning(String marker) {
        return ProcessHandle.current().descendants()
            .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
            .findFirst();
    }

    private Path taskFolder(LocalDriver driver, String taskId) {
        return driver.workDir().resolve("atlas-" + taskId);
    }

    @Test
    void givesTheJobItsTaskFilesAndSecretsAsFilesInTheContractFolders() throws Exception {
        LocalDriver driver = open(Map.of());
        // the command is test data: the secret is read from the file when the job runs, never passed in
        ContainerSpec main = step("main", "sh", "-c",
            "cat \"$ATLAS_TASK_DIR/task.json\" > \"$ATLAS_WORKSPACE/out\"; "
                + "cat \"$ATLAS_SECRETS_DIR/clone-token\" >> \"$ATLAS_WORKSPACE/out\"");
        driver.submit(job("t-files", List.of(), main, Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-files")).isEqualTo(State.SUCCEEDED);
        assertThat(Files.readString(taskFolder(driver, "t-files").resolve("workspace/out")))
            .isEqualTo("{\"taskId\":\"t-files\"}clone-t-files");
    }

    @Test
    void keepsSecretValuesOutOfTheJobsCommandLineAndEnvironment() throws Exception {
        assumeThat(Path.of("/proc/self/environ")).exists();
        LocalDriver driver = open(Map.of());
        driver.submit(job("t-hidden", List.of(), step("main", "sleep", "41"), Duration.ofMinutes(1)));

        await().atMost(WAIT).until(() -> childRunning("41").isPresent());
        long pid = childRunning("41").orElseThrow().pid();
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.ISO_8859_1);
        String environ = Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.ISO_8859_1);

        assertThat(cmdline + environ).doesNotContain("clone-t-hidden").doesNotContain("result-t-hidden");
        assertThat(environ).contains("ATLAS_SECRETS_DIR=" + taskFolder(driver, "t-hidden").resolve("secrets"));
        assertThat(List.of(environ.split("\0"))).extracting(kv -> kv.substring(0, kv.indexOf('=')))
            .allSatisfy(name -> assertThat(name).isIn("PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR",
                "ATLAS_TASK_TYPE", "ATLAS_TASK_DIR", "ATLAS_SECRETS_DIR", "ATLAS_WORKSPACE"));
        driver.cancel("t-hidden");
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
    void deletesTheSecretFilesOnceTheJobHasEnded() throws Exception {
        LocalDriver driver = open(Map.of());
        driver.submit(spec("t-wipe"));

        assertThat(awaitEnd(driver, "t-wipe")).isEqualTo(State.SUCCEEDED);
        assertThat(taskFolder(driver, "t-wipe").resolve("secrets")).doesNotExist();
    }

    @Test
    void runsInitStepsBeforeTheMainStep() throws Exception {
        LocalDriver driver = open(Map.of());
        ContainerSpec init = step("clone", "sh", "-c", "echo init >> \"$ATLAS_WORKSPACE/order\"");
        ContainerSpec main = step("main", "sh", "-c", "echo main >> \"$ATLAS_WORKSPACE/order\"");
        driver.submit(job("t-order", List.of(init), main, Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-order")).isEqualTo(State.SUCCEEDED);
        assertThat(Files.readString(taskFolder(driver, "t-order").resolve("workspace/order"))).isEqualTo("init\nmain\n");
    }

    @Test
    void skipsTheMainStepAndFailsWhenAnInitStepFails() throws Exception {
        LocalDriver driver = open(Map.of());
        ContainerSpec init = step("clone", "sh", "-c", "exit 3");
        ContainerSpec main = step("main", "sh", "-c", "touch \"$ATLAS_WORKSPACE/main-ran\"");
        driver.submit(job("t-initfail", List.of(init), main, Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-initfail")).isEqualTo(State.FAILED);
        assertThat(driver.status("t-initfail").orElseThrow().detail()).contains("clone").contains("exit code 3");
        assertThat(taskFolder(driver, "t-initfail").resolve("workspace/main-ran")).doesNotExist();
    }

    @Test
    void reportsTheExitCodeOfAFailedMainStep() throws Exception {
        LocalDriver driver = open(Map.of());
        driver.submit(job("t-exit", List.of(), step("main", "sh", "-c", "exit 7"), Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-exit")).isEqualTo(State.FAILED);
        assertThat(driver.status("t-exit").orElseThrow().detail()).contains("exit code 7");
    }

    @Test
    void writesEachStepsOutputToItsLogFile() throws Exception {
        LocalDriver driver = open(Map.of());
        driver.submit(job("t-log", List.of(), step("main", "sh", "-c", "echo out; echo err >&2"),
            Duration.ofMinutes(1)));

        awaitEnd(driver, "t-log");
        assertThat(Files.readString(taskFolder(driver, "t-log").resolve("logs/main.log"))).contains("out", "err");
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
        await().atMost(WAIT).until(() -> childRunning("44").isPresent());
        ProcessHandle sleeper = childRunning("44").orElseThrow();

        assertThat(driver.cancel("t-kill")).isTrue();

        await().atMost(WAIT).until(() -> !sleeper.isAlive());
        assertThat(driver.status("t-kill").orElseThrow().state()).isEqualTo(State.CANCELLED);
    }

    @Test
    void keepsFurtherJobsPendingWhileMaxConcurrentJobsRun() throws Exception {
        LocalDriver driver = open(Map.of("maxConcurrent", 1));
        driver.submit(job("t-first", List.of(), step("main", "sleep", "45"), Duration.ofMinutes(1)));
        driver.submit(spec("t-second"));
        await().atMost(WAIT).until(() -> childRunning("45").isPresent());

        assertThat(driver.status("t-second").orElseThrow().state()).isEqualTo(State.PENDING);
        driver.cancel("t-first");
        assertThat(awaitEnd(driver, "t-second")).isEqualTo(State.SUCCEEDED);
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
        await().atMost(WAIT).until(() -> childRunning("46").isPresent());
        ProcessHandle sleeper = childRunning("46").orElseThrow();
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
            Map.of("maxConcurrent", 0, "shell", "/bin/sh"), problems), problems);

        assertThat(problems.lines()).anySatisfy(l -> assertThat(l).startsWith("tasks.local.maxConcurrent:"))
            .anySatisfy(l -> assertThat(l).startsWith("tasks.local.shell:"));
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
