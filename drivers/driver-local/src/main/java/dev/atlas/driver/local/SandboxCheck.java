package dev.atlas.driver.local;

import dev.atlas.api.HostContext;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.Resources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides at start-up whether the task's commands run in the {@link Sandbox}: it finds {@code bwrap} and runs one
 * empty sandbox to prove it works here (a container without user namespaces has {@code bwrap} but cannot use it).
 * Without a working sandbox the driver refuses to open unless {@code tasks.local.unsandboxed: true}; then it warns
 * loudly, once, and the task's commands run as plain processes of Atlas's user.
 */
final class SandboxCheck {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxCheck.class);
    static final String KEY = "tasks.local.unsandboxed";
    private static final long PROBE_SECONDS = 20;

    private SandboxCheck() {
    }

    /**
     * The sandbox to use, or empty when running unsandboxed is allowed and there is none.
     *
     * @param searchPath the {@code PATH} to find {@code bwrap} on
     * @param scratch a folder of the driver's to run the probe in (a staging folder: deleted on the next start if left)
     * @param hidden Atlas's folders the sandbox must cover if they lie under a system folder
     * @throws IllegalStateException naming {@value #KEY} when there is no working sandbox and it is not allowed
     */
    static Optional<Sandbox> choose(boolean unsandboxedAllowed, String searchPath, Path scratch,
        Collection<Path> hidden) throws IOException {
        Optional<Path> bwrap = Sandbox.locate(searchPath);
        String problem;
        if (bwrap.isEmpty()) {
            problem = "bwrap (Debian/Ubuntu package bubblewrap) is not on the PATH";
        } else {
            Sandbox sandbox = new Sandbox(bwrap.get(), hidden);
            Optional<String> failure = probe(sandbox, new TaskFolder(scratch));
            if (failure.isEmpty()) {
                LOG.info("local driver: the task's commands run in the bubblewrap sandbox ({})", bwrap.get());
                return Optional.of(sandbox);
            }
            problem = bwrap.get() + " cannot make a sandbox on this machine (" + failure.get() + ")";
        }
        if (!unsandboxedAllowed) {
            throw new IllegalStateException(KEY + ": " + problem + ". The local driver runs the task's own commands "
                + "(code the cloud chose) in a bubblewrap sandbox: install bubblewrap, or set " + KEY + ": true to run "
                + "them as Atlas's user with access to everything Atlas can read (a demo only)");
        }
        LOG.warn("!!! {}: {}; {} is true, so the TASK'S OWN COMMANDS RUN UNSANDBOXED as Atlas's user: they can read "
            + "Atlas's data, config and keys and reach the network. Install bubblewrap for anything but a demo. !!!",
            KEY, problem, KEY);
        return Optional.empty();
    }

    /** Runs {@code true} in the sandbox; empty when it exited 0, else what went wrong. */
    private static Optional<String> probe(Sandbox sandbox, TaskFolder folder) throws IOException {
        folder.createDirs();
        try {
            ContainerSpec step = new ContainerSpec("probe", "", List.of("true"), Map.of(), new Resources("", ""));
            Process process = new StepProcesses(Optional.of(sandbox), Optional.empty(), Optional.empty()).start(step, folder);
            if (!process.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                ProcessTrees.kill(process.toHandle(), folder.root());
                return Optional.of("it did not finish within " + PROBE_SECONDS + "s");
            }
            if (process.exitValue() == 0) {
                return Optional.empty();
            }
            String output = Files.readString(folder.log("probe"), StandardCharsets.UTF_8).strip();
            return Optional.of("exit " + process.exitValue() + (output.isEmpty() ? "" : ": "
                + output.lines().findFirst().orElse("")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        } finally {
            TaskFolder.deleteTree(folder.root());
        }
    }

    /**
     * Atlas's folders, which the sandbox covers should they lie under a system folder it shows: the work folder, the
     * plugin's data folder, the config folder above it ({@code <config folder>/data/plugins/<plugin>}), the working
     * folder and the distribution.
     */
    static List<Path> atlasFolders(HostContext host, Path workDir) {
        List<Path> folders = new ArrayList<>(List.of(workDir, host.dataDir(), Path.of(System.getProperty("user.dir"))));
        host.atlasHome().ifPresent(folders::add);
        Path plugins = host.dataDir().toAbsolutePath().normalize().getParent();
        if (plugins != null && plugins.endsWith("plugins") && plugins.getParent() != null
            && plugins.getParent().getParent() != null) {
            folders.add(plugins.getParent().getParent());
        }
        return folders;
    }

    /** A scratch folder name under the work folder that the next start deletes if this one leaves it. */
    static Path scratchIn(Path workDir, String stagingPrefix) {
        return workDir.resolve(stagingPrefix + "sandbox-probe-" + UUID.randomUUID());
    }
}
