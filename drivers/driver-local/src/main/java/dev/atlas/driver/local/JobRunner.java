package dev.atlas.driver.local;

import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus.State;
import java.io.File;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task's steps in order on a worker thread: the init steps, then the main step, each as a process started
 * straight from its argument list (no shell, so no value of the task is ever interpreted). A step that fails ends
 * the job; the time limit counts from the start of the first step and covers all of them.
 */
final class JobRunner implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    /** Variables of the Atlas process a job may see; everything else (tokens from {@code ${env:…}}) stays out. */
    private static final List<String> INHERITED_ENV = List.of("PATH", "LANG", "LC_ALL", "TZ");
    private static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private final JobSpec spec;
    private final TaskRecord record;
    private final TaskFolder folder;
    private final Clock clock;

    JobRunner(JobSpec spec, TaskRecord record, TaskFolder folder, Clock clock) {
        this.spec = spec;
        this.record = record;
        this.folder = folder;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            if (!record.start()) {
                return;
            }
            long deadline = clock.millis() + spec.timeLimit().toMillis();
            List<ContainerSpec> steps = new ArrayList<>(spec.initContainers());
            steps.add(spec.main());
            for (ContainerSpec step : steps) {
                String failure = runStep(step, deadline, step != spec.main());
                if (failure != null) {
                    record.finish(State.FAILED, failure);
                    return;
                }
            }
            record.finish(State.SUCCEEDED, "exit code 0");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finishQuietly(State.FAILED, "interrupted: Atlas stopped while the job ran");
        } catch (IOException e) {
            LOG.warn("local job {} failed to run: {}", record.name(), e.toString());
            finishQuietly(State.FAILED, "could not run the job: " + e.getClass().getSimpleName());
        } finally {
            try {
                folder.wipeSecrets();
            } catch (IOException e) {
                LOG.warn("could not delete the secrets of local job {}: {}", record.name(), e.toString());
            }
        }
    }

    /** Runs one step; null when it exited 0, else why the job ends (a cancel has already set the outcome then). */
    private String runStep(ContainerSpec step, long deadline, boolean init) throws IOException, InterruptedException {
        if (record.cancelRequested()) {
            return "cancelled";
        }
        Process process;
        try {
            process = processFor(step).start();
        } catch (IOException e) {
            return "step " + step.name() + " could not start: " + e.getMessage();
        }
        try {
            if (!record.attach(process, step.name())) {
                ProcessTrees.kill(process.toHandle());
                return "cancelled";
            }
            long remaining = deadline - clock.millis();
            if (remaining <= 0 || !process.waitFor(remaining, TimeUnit.MILLISECONDS)) {
                ProcessTrees.kill(process.toHandle());
                process.waitFor();
                return "time limit of " + describe(spec.timeLimit()) + " exceeded in step " + step.name();
            }
            int exit = process.exitValue();
            if (record.cancelRequested()) {
                return "cancelled";
            }
            if (exit != 0) {
                return (init ? "init step " : "step ") + step.name() + " failed with exit code " + exit
                    + (init ? "; main step not run" : "");
            }
            return null;
        } catch (InterruptedException e) {
            ProcessTrees.kill(process.toHandle());
            throw e;
        }
    }

    /** The process of a step: the job contract's three folders, a clean environment and the step's log file. */
    ProcessBuilder processFor(ContainerSpec step) {
        ProcessBuilder builder = new ProcessBuilder(step.command());
        builder.directory(folder.workspace().toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        for (String name : INHERITED_ENV) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.putIfAbsent("PATH", DEFAULT_PATH);
        env.put("HOME", folder.home().toString());
        env.put("TMPDIR", folder.home().toString());
        if (step.env() != null) {
            env.putAll(step.env());
        }
        // set last so a step's own env cannot point the contract folders elsewhere
        env.put(JobSpec.TASK_DIR_ENV, folder.taskDir().toString());
        env.put(JobSpec.SECRETS_DIR_ENV, folder.secretsDir().toString());
        env.put(JobSpec.WORKSPACE_ENV, folder.workspace().toString());
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(folder.log(step.name()).toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return builder;
    }

    private void finishQuietly(State state, String why) {
        try {
            record.finish(state, why);
        } catch (IOException e) {
            LOG.warn("could not record the end of local job {}: {}", record.name(), e.toString());
        }
    }

    static String describe(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
