package dev.atlas.driver.local;

import static dev.atlas.driver.local.LocalJobs.atlasStep;
import static dev.atlas.driver.local.LocalJobs.awaitEnd;
import static dev.atlas.driver.local.LocalJobs.job;
import static dev.atlas.driver.local.LocalJobs.taskStep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.JobStatus.State;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile analyzer ({@code sh -c <script>}, as a cloud can send) looks for any token and tries to get out, for real
 * in the bubblewrap sandbox. Next to it: a temp "Atlas home" (config, signing keys, secrets, the driver's data and
 * work folder) with marker files, another task with its own token, a stand-in Atlas process with markers in its
 * environment and command line, and a TCP listener on every address of the machine. Each probe is a case; none may
 * print a marker, and the listener must see no connection. Controls run the same look-ups as Atlas's own (unsandboxed)
 * step and do find the markers, so a probe that finds nothing finds nothing because of the sandbox.
 */
class SandboxEscapeTest {
    private static final String OWN_TOKEN = "own-token-" + UUID.randomUUID();
    private static final String OTHER_TOKEN = "other-token-" + UUID.randomUUID();
    private static final String OTHER_TASK_FILE = "other-task-" + UUID.randomUUID();
    private static final String CONFIG = "config-" + UUID.randomUUID();
    private static final String KEY = "signing-key-" + UUID.randomUUID();
    private static final String APP_SECRET = "app-secret-" + UUID.randomUUID();
    private static final String DECOY_ENV = "decoy-env-" + UUID.randomUUID();
    private static final String DECOY_ARG = "decoy-arg-" + UUID.randomUUID();
    private static final List<String> MARKERS = List.of(OWN_TOKEN, OTHER_TOKEN, OTHER_TASK_FILE, CONFIG, KEY,
        APP_SECRET, DECOY_ENV, DECOY_ARG);

    @TempDir
    static Path root;
    @TempDir
    static Path out;

    private static final LocalJobs JOBS = new LocalJobs();
    private static final AtomicInteger CONNECTIONS = new AtomicInteger();
    private static final AtomicInteger PROBES = new AtomicInteger();
    private static LocalDriver driver;
    private static ServerSocket listener;
    private static Process decoy;
    private static String hostIp;

    @BeforeAll
    static void atlasHomeOtherTaskDecoyAndListener() throws Exception {
        assumeThat(Sandbox.locate(System.getenv("PATH"))).as("bwrap is installed (CI installs it)").isPresent();
        Path home = Files.createDirectories(root.resolve("atlas"));
        Files.writeString(home.resolve("atlas.yaml"), CONFIG);
        Files.writeString(Files.createDirectories(home.resolve("data/keys")).resolve("signing.jwk"), KEY);
        Files.writeString(Files.createDirectories(home.resolve("secrets")).resolve("github-app.pem"), APP_SECRET);
        Path dataDir = Files.createDirectories(home.resolve("data/plugins/driver-local"));
        driver = JOBS.open(false, System.getenv("PATH"), LocalJobs.host(dataDir, Optional.of(home)));
        assertThat(driver.sandboxed()).isTrue();

        ContainerSpec busy = atlasStep("report", "sleep 600", out);
        driver.submit(new dev.atlas.api.driver.JobSpec("t-other", "analysis", "app-1", "atlas-t-other", Map.of(),
            List.of(), busy, Map.of("task.json", OTHER_TASK_FILE.getBytes()),
            Map.of("clone-token", Secret.of(OTHER_TOKEN)), Duration.ofMinutes(10)));

        ProcessBuilder stand = new ProcessBuilder("sh", "-c", "sleep 600", DECOY_ARG);
        stand.environment().put("ATLAS_DECOY", DECOY_ENV);
        decoy = stand.start();

        listener = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    CONNECTIONS.incrementAndGet();
                } catch (IOException e) {
                    // closed at the end
                }
            }
        }, "escape-listener");
        accept.setDaemon(true);
        accept.start();
        hostIp = hostAddress().orElse("127.0.0.1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.cancel("t-other");
        }
        JOBS.close();
        if (decoy != null) {
            decoy.descendants().forEach(ProcessHandle::destroyForcibly);
            decoy.destroyForcibly();
        }
        if (listener != null) {
            listener.close();
        }
    }

    private static Optional<String> hostAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address)
            .map(InetAddress::getHostAddress).findFirst();
    }

    /** One attempt of the hostile analyzer; {@code {WORK}}, {@code {ROOT}} … are filled in when it runs. */
    record Probe(String name, String script, boolean hostPathsHidden) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Probe> probes() {
        return Stream.of(
            new Probe("reads its own secrets folder by its host path", "cat {WORK}/{SELF}/secrets/*; "
                + "ls {WORK}/{SELF}/secrets && echo FOUND-LISTING", false),
            new Probe("greps its environment", "env; set; cat /proc/self/environ", true),
            new Probe("reads every /proc/*/environ and cmdline",
                "for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do cat \"$f\"; echo; done", true),
            new Probe("reads /proc/1/environ and /proc/1/cmdline", "cat /proc/1/environ; cat /proc/1/cmdline", true),
            new Probe("reads /proc of Atlas and of another Atlas process", "cat /proc/{ATLAS}/environ "
                + "/proc/{ATLAS}/cmdline /proc/{DECOY}/environ /proc/{DECOY}/cmdline; "
                + "ls /proc/{ATLAS}/root/ && echo FOUND-ATLAS-ROOT; kill -0 {ATLAS} && echo FOUND-SIGNAL", false),
            new Probe("reads Atlas's config, keys and secrets", "cat {ROOT}/atlas/atlas.yaml {ROOT}/atlas/data/keys/* "
                + "{ROOT}/atlas/secrets/*; find {ROOT} -type f -exec cat {} +; ls {ROOT} && echo FOUND-ROOT", false),
            new Probe("reads another task's folders", "cat {WORK}/atlas-t-other/secrets/* "
                + "{WORK}/atlas-t-other/task/*; find {WORK} -type f -exec cat {} +", false),
            new Probe("looks into /root, /home and ~/.m2", "ls -A /root /home && echo FOUND-HOMES; "
                + "test -e /root/.m2 && echo FOUND-M2; test -e \"$HOME/.m2\" && echo FOUND-M2-HOME", true),
            new Probe("reads a mounted service-account token", "cat /var/run/secrets/kubernetes.io/serviceaccount/token "
                + "/run/secrets/kubernetes.io/serviceaccount/token; ls /run /var/run && echo FOUND-RUN", true),
            new Probe("reads /etc beyond what a command needs", "test -e /etc/shadow && echo FOUND-SHADOW; "
                + "test -e /etc/ssl/private && echo FOUND-SSL-PRIVATE; test -e /etc/atlas && echo FOUND-ETC-ATLAS; "
                + "test -e /etc/gitconfig && echo FOUND-GITCONFIG", true),
            new Probe("connects to a listener on 127.0.0.1", "bash -c 'exec 3<>/dev/tcp/127.0.0.1/{PORT}' "
                + "&& echo FOUND-CONNECTED; curl -s -m 5 http://127.0.0.1:{PORT}/ && echo FOUND-CURL", true),
            new Probe("connects to the host's address", "bash -c 'exec 3<>/dev/tcp/{HOSTIP}/{PORT}' "
                + "&& echo FOUND-CONNECTED; curl -s -m 5 http://{HOSTIP}:{PORT}/ && echo FOUND-CURL", true),
            new Probe("writes into the task folder", "echo changed > \"$ATLAS_TASK_DIR/task.json\" "
                + "&& echo FOUND-WROTE; touch \"$ATLAS_TASK_DIR/new\" && echo FOUND-CREATED", true));
    }

    private static String fill(String script, String self) {
        return script.replace("{WORK}", driver.workDir().toString()).replace("{SELF}", "atlas-" + self)
            .replace("{ROOT}", root.toString()).replace("{ATLAS}", Long.toString(ProcessHandle.current().pid()))
            .replace("{DECOY}", Long.toString(decoy.pid())).replace("{PORT}", Integer.toString(listener.getLocalPort()))
            .replace("{HOSTIP}", hostIp);
    }

    /** Runs {@code script} as the given step kind and returns what it printed. */
    private static String run(String script, boolean sandboxed) throws Exception {
        String taskId = "t-probe-" + PROBES.incrementAndGet();
        String body = "exec > \"$ATLAS_RESULTS_DIR/probe.out\" 2>&1\n" + fill(script, taskId) + "\necho PROBE-DONE\n";
        Path copy = out.resolve(taskId);
        ContainerSpec report = atlasStep("report", "cp \"$ATLAS_RESULTS_DIR/probe.out\" \"" + copy + "\"", out);
        List<ContainerSpec> init = new ArrayList<>();
        init.add(sandboxed ? taskStep("analyzer", body) : atlasStep("analyzer", body, out));
        driver.submit(job(taskId, init, report, Map.of("clone-token", Secret.of(OWN_TOKEN),
            "result-token", Secret.of(OWN_TOKEN)), Duration.ofMinutes(2)));
        assertThat(awaitEnd(driver, taskId)).isEqualTo(State.SUCCEEDED);
        return Files.readString(copy);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probes")
    void theHostileAnalyzerFindsNothingAndCannotConnect(Probe probe) throws Exception {
        int connectionsBefore = CONNECTIONS.get();

        String output = run(probe.script(), true);

        assertThat(output).as("the probe ran to its end").contains("PROBE-DONE");
        assertThat(output).doesNotContain("FOUND");
        for (String marker : MARKERS) {
            assertThat(output).doesNotContain(marker);
        }
        if (probe.hostPathsHidden()) {
            assertThat(output).as("no host path of Atlas's shows").doesNotContain(root.toString());
        }
        assertThat(CONNECTIONS.get()).as("connections the listener saw").isEqualTo(connectionsBefore);
    }

    @Test
    void atlasOwnStepRunningTheSameLookUpsFindsTheMarkersAndConnects() throws Exception {
        int connectionsBefore = CONNECTIONS.get();
        List<String> controls = List.of("reads its own secrets folder by its host path",
            "reads /proc of Atlas and of another Atlas process", "reads Atlas's config, keys and secrets",
            "reads another task's folders", "connects to a listener on 127.0.0.1");
        String script = probes().filter(p -> controls.contains(p.name())).map(Probe::script)
            .reduce((a, b) -> a + "\n" + b).orElseThrow();

        String output = run(script, false);

        assertThat(output).contains(OWN_TOKEN, OTHER_TOKEN, OTHER_TASK_FILE, CONFIG, KEY, APP_SECRET, DECOY_ENV,
            DECOY_ARG, "FOUND-CONNECTED");
        assertThat(CONNECTIONS.get()).isGreaterThan(connectionsBefore);
    }

    @Test
    void aLinkToAtlasKeysPlantedInTheResultsNeverReachesTheReportStep() throws Exception {
        String analyzer = fill("ln -s {ROOT}/atlas/data/keys/signing.jwk \"$ATLAS_RESULTS_DIR/key.json\"; "
            + "ln -s {ROOT}/atlas/data/keys \"$ATLAS_RESULTS_DIR/keys\"; mkfifo \"$ATLAS_RESULTS_DIR/hang.json\"; "
            + "echo '{\"ok\":true}' > \"$ATLAS_RESULTS_DIR/1.json\"", "t-links");
        ContainerSpec report = atlasStep("report", "ls \"$ATLAS_RESULTS_DIR\" > \"$OUT/links\"; "
            + "cat \"$ATLAS_RESULTS_DIR\"/* \"$ATLAS_RESULTS_DIR\"/keys/* >> \"$OUT/links\" 2>&1; true", out);

        driver.submit(job("t-links", List.of(taskStep("analyzer", analyzer)), report, Map.of(), Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-links")).isEqualTo(State.SUCCEEDED);
        assertThat(Files.readString(out.resolve("links"))).startsWith("1.json\n").contains("{\"ok\":true}")
            .doesNotContain(KEY);
    }

    @Test
    void nothingTheAnalyzerStartsOutlivesIt() throws Exception {
        ContainerSpec analyzer = taskStep("analyzer", "(sleep 301; echo late > \"$ATLAS_RESULTS_DIR/late.json\") & "
            + "echo started");
        ContainerSpec report = atlasStep("report", "sleep 0", out);

        driver.submit(job("t-linger", List.of(analyzer), report, Map.of(), Duration.ofMinutes(1)));

        assertThat(awaitEnd(driver, "t-linger")).isEqualTo(State.SUCCEEDED);
        org.awaitility.Awaitility.await().atMost(LocalJobs.WAIT)
            .until(() -> LocalDriverTest.childRunning("sleep 301").isEmpty());
    }

    @Test
    void theTaskFolderSurvivesTheAttemptToWriteIt() throws Exception {
        String output = run("cat \"$ATLAS_TASK_DIR/task.json\"; echo x > \"$ATLAS_TASK_DIR/task.json\"; "
            + "cat \"$ATLAS_TASK_DIR/task.json\"", true);

        assertThat(output).contains("Read-only file system").doesNotContain("\nx\n");
        assertThat(output.split("\"taskId\"", -1)).hasSize(3); // printed twice, unchanged
    }
}
