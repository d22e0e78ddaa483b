package dev.atlas.driver.local;

import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.JobSpec;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the process of one step, by whose code it runs ({@link ContainerSpec.Role}):
 * <ul>
 *   <li>Atlas's own steps ({@code clone}, {@code report}, {@code patch}) run as ordinary processes of the Atlas
 *       distribution: its {@code bin/} first on {@code PATH} (so {@code sh -c "exec atlas patch …"} finds the
 *       launcher), {@code JAVA_HOME} the JVM Atlas runs on, and {@code ATLAS_SECRETS_DIR} to read their tokens.
 *       SPEC §6 says the local driver "clones and reports in process": these are child processes of Atlas, outside
 *       the sandbox, running Atlas's own code — the same as in process as far as trust goes;</li>
 *   <li>the task's own steps (analyzers, autofixer, transformer) run in the {@link Sandbox}, never seeing the
 *       secrets folder; only when the operator set {@code tasks.local.unsandboxed: true} on a machine without a
 *       working {@code bwrap} do they run as plain processes (still without the secrets folder).</li>
 * </ul>
 * Every step is started from its argument list (no shell of Atlas's interprets a value of the task), with an
 * environment built from scratch: tokens that Atlas read from {@code ${env:…}} never reach a job. The contract's
 * variables are set last so a step's own env cannot point them elsewhere. The image is ignored: there is no
 * container runtime; the task's command runs on the machine's own system folders.
 *
 * <p>Every step runs at a lower CPU priority ({@code nice -n} {@value #NICENESS}, when {@code nice} is on the PATH):
 * jobs are batch work sharing the machine with Atlas's request paths (task and webhook acceptance, the VCS proxy),
 * which must not wait behind a job's JVM starting or an analyzer's build. {@code nice} replaces itself with the
 * step's program, so the process, its pid and its command line are the step's own.
 */
final class StepProcesses {
    /** Variables of the Atlas process a step may see; everything else stays out. */
    private static final List<String> INHERITED_ENV = List.of("PATH", "LANG", "LC_ALL", "TZ");
    private static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
    /** The niceness of every step's process. */
    static final int NICENESS = 10;

    private final Optional<Sandbox> sandbox;
    private final Optional<Path> atlasHome;
    private final Optional<Path> nice;

    /**
     * @param sandbox the sandbox of the task's steps; empty only when running unsandboxed was allowed
     * @param atlasHome the Atlas distribution whose {@code bin/} Atlas's own steps find first on their PATH
     * @param nice the {@code nice} program that starts each step at a lower priority; empty: the steps run at Atlas's
     */
    StepProcesses(Optional<Sandbox> sandbox, Optional<Path> atlasHome, Optional<Path> nice) {
        this.sandbox = sandbox;
        this.atlasHome = atlasHome;
        this.nice = nice;
    }

    /** {@code command} started through {@code nice}, when there is one. */
    private List<String> lowered(List<String> command) {
        if (nice.isEmpty()) {
            return command;
        }
        List<String> line = new java.util.ArrayList<>(List.of(nice.get().toString(), "-n", Integer.toString(NICENESS)));
        line.addAll(command);
        return line;
    }

    boolean sandboxed() {
        return sandbox.isPresent();
    }

    /** Starts {@code step} of the task in {@code folder}; its output goes to the step's log file. */
    Process start(ContainerSpec step, TaskFolder folder) throws IOException {
        if (step.role() == ContainerSpec.Role.TASK && sandbox.isPresent()) {
            return startSandboxed(step, folder, sandbox.get());
        }
        return plain(step, folder).start();
    }

    /** Atlas's own step, or a task step when unsandboxed: a process on the host with the job's host folders. */
    ProcessBuilder plain(ContainerSpec step, TaskFolder folder) {
        boolean atlas = step.seesSecrets();
        ProcessBuilder builder = new ProcessBuilder(lowered(step.command()));
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(inherited());
        if (atlas) {
            atlasHome.ifPresent(home -> env.put("PATH", home.resolve("bin") + File.pathSeparator + env.get("PATH")));
            env.put("JAVA_HOME", System.getProperty("java.home"));
        }
        env.put("HOME", folder.home().toString());
        env.put("TMPDIR", folder.home().toString());
        if (step.env() != null) {
            env.putAll(step.env());
        }
        env.put(JobSpec.TASK_DIR_ENV, folder.taskDir().toString());
        env.put(JobSpec.WORKSPACE_ENV, folder.workspace().toString());
        env.put(JobSpec.RESULTS_DIR_ENV, folder.resultsDir().toString());
        if (atlas) {
            env.put(JobSpec.SECRETS_DIR_ENV, folder.secretsDir().toString());
        } else {
            env.remove(JobSpec.SECRETS_DIR_ENV);
        }
        // Atlas's own steps start in their private home, not in the workspace the task's code could fill with traps
        builder.directory((atlas ? folder.home() : folder.workspace()).toFile());
        return redirect(builder, step, folder).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    /** The task's step under bwrap, started with an empty environment and its arguments on standard input. */
    private Process startSandboxed(ContainerSpec step, TaskFolder folder, Sandbox box) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(inherited());
        env.put("PATH", Sandbox.PATH);
        env.put("HOME", "/tmp");
        env.put("TMPDIR", "/tmp");
        if (step.env() != null) {
            env.putAll(step.env());
        }
        env.remove(JobSpec.SECRETS_DIR_ENV);
        env.put(JobSpec.TASK_DIR_ENV, Sandbox.TASK_DIR);
        env.put(JobSpec.WORKSPACE_ENV, Sandbox.WORKSPACE);
        env.put(JobSpec.RESULTS_DIR_ENV, Sandbox.RESULTS_DIR);
        StringBuilder stream = new StringBuilder();
        for (String arg : box.options(folder, env)) {
            // bwrap splits its option stream at NUL: a NUL inside a value would smuggle in an option of its own
            if (arg.indexOf('\0') >= 0) {
                throw new IOException("an environment value of step " + step.name() + " holds a NUL");
            }
            stream.append(arg).append('\0');
        }
        ProcessBuilder builder = new ProcessBuilder(lowered(box.commandLine(step.command())));
        builder.environment().clear();
        builder.directory(folder.workspace().toFile());
        redirect(builder, step, folder).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stream.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // bwrap ended before reading its arguments: its exit code and log say why
        }
        return process;
    }

    private static ProcessBuilder redirect(ProcessBuilder builder, ContainerSpec step, TaskFolder folder) {
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(folder.log(step.name()).toFile()));
        return builder;
    }

    private static Map<String, String> inherited() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : INHERITED_ENV) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.putIfAbsent("PATH", DEFAULT_PATH);
        return env;
    }
}
