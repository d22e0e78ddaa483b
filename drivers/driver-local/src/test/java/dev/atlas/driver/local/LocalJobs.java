package dev.atlas.driver.local;

import static org.awaitility.Awaitility.await;

import dev.atlas.api.HostContext;
import dev.atlas.api.Metrics;
import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus.State;
import dev.atlas.api.driver.Resources;
import dev.atlas.testkit.TestHost;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Opens local drivers on a test's folders and builds the jobs the tests submit. Closes what it opened. */
final class LocalJobs implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    private final List<LocalDriver> opened = new ArrayList<>();

    /** A host on {@code dataDir} that reports {@code atlasHome} as the distribution folder. */
    static HostContext host(Path dataDir, Optional<Path> atlasHome) {
        TestHost test = new TestHost(Clock.systemUTC(), dataDir);
        return new HostContext() {
            @Override
            public Clock clock() {
                return test.clock();
            }

            @Override
            public HttpClient httpClient() {
                return test.httpClient();
            }

            @Override
            public Metrics metrics() {
                return test.metrics();
            }

            @Override
            public Path dataDir() {
                return test.dataDir();
            }

            @Override
            public Optional<Path> atlasHome() {
                return atlasHome;
            }
        };
    }

    /** A driver with default settings, finding bwrap on {@code searchPath}, opened on {@code host}. */
    LocalDriver open(boolean unsandboxed, String searchPath, HostContext host) throws Exception {
        LocalDriver driver = new LocalDriver(new LocalSettings(Optional.empty(), 4, unsandboxed), searchPath);
        opened.add(driver);
        driver.open(host);
        return driver;
    }

    /** A driver with the machine's PATH (so the real bwrap) on {@code dataDir}. */
    LocalDriver open(Path dataDir) throws Exception {
        return open(false, System.getenv("PATH"), host(dataDir, Optional.empty()));
    }

    /** A job of {@code taskId} with the given steps, task files and secrets. */
    static JobSpec job(String taskId, List<ContainerSpec> init, ContainerSpec main, Map<String, Secret> secrets,
        Duration limit) {
        return new JobSpec(taskId, "analysis", "app-1", "atlas-" + taskId, Map.of("atlas.dev/task-id", taskId), init,
            main, Map.of("task.json", ("{\"taskId\":\"" + taskId + "\"}").getBytes(StandardCharsets.UTF_8)), secrets,
            limit);
    }

    /** A step of Atlas's own code (clone, report): it sees the secrets; {@code $OUT} is a folder of the test's. */
    static ContainerSpec atlasStep(String name, String script, Path out) {
        return new ContainerSpec(name, "atlas", List.of("sh", "-c", script), Map.of("OUT", out.toString()),
            new Resources("100m", "64Mi"), ContainerSpec.Role.ATLAS);
    }

    /** A step of the task's own code (an analyzer the cloud chose): in the sandbox. */
    static ContainerSpec taskStep(String name, String script) {
        return new ContainerSpec(name, "busybox:1.36", List.of("sh", "-c", script),
            Map.of("ATLAS_TASK_ID", "t", "ATLAS_TASK_TYPE", "analysis"), new Resources("100m", "64Mi"),
            ContainerSpec.Role.TASK);
    }

    static State awaitEnd(LocalDriver driver, String taskId) throws DriverException {
        await().atMost(WAIT).until(() -> driver.status(taskId).map(s -> TaskRecord.isTerminal(s.state()))
            .orElse(false));
        return driver.status(taskId).orElseThrow().state();
    }

    @Override
    public void close() {
        opened.forEach(LocalDriver::close);
    }
}
