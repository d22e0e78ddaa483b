package dev.atlas.driver.local;

import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus.State;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task's steps in order on a worker thread: the init steps, then the main step, each as a process started by
 * {@link StepProcesses} (the task's own steps in the sandbox). A step that fails ends the job; the time limit counts
 * from the start of the first step and covers all of them. However the job ends, its folder is cleared down to the
 * state file.
 */
final class JobRunner implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final JobSpec spec;
    private final TaskRecord record;
    private final TaskFolder folder;
    private final Clock clock;
    private final StepProcesses processes;
    private final Runnable leftQueue;

    /** @param leftQueue called once when the job leaves the queue (a runner took it) */
    JobRunner(JobSpec spec, TaskRecord record, TaskFolder folder, Clock clock, StepProcesses processes,
        Runnable leftQueue) {
        this.leftQueue = leftQueue;
        this.spec = spec;
        this.record = record;
        this.folder = folder;
        this.clock = clock;
        this.processes = processes;
    }

    @Override
    public void run() {
        leftQueue.run();
        try {
            if (!record.start()) {
                return;
            }
            folder.createRunDirs();
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
                folder.clearAfterRun();
            } catch (IOException e) {
                LOG.warn("could not clear the folder of local job {}: {}", record.name(), e.toString());
            }
        }
    }

    /** Runs one step; null when it exited 0, else why the job ends (a cancel has already set the outcome then). */
    private String runStep(ContainerSpec step, long deadline, boolean init) throws IOException, InterruptedException {
        if (record.cancelRequested()) {
            return "cancelled";
        }
        if (step.seesSecrets()) {
            List<String> dropped = folder.dropIrregularResults();
            if (!dropped.isEmpty()) {
                LOG.warn("local job {}: deleted {} result entries that were not regular files before step {}",
                    record.name(), dropped.size(), step.name());
            }
        }
        Process process;
        try {
            process = processes.start(step, folder);
        } catch (IOException e) {
            return "step " + step.name() + " could not start: " + e.getMessage();
        }
        try {
            if (!record.attach(process, step.name())) {
                ProcessTrees.kill(process.toHandle(), folder.root());
                return "cancelled";
            }
            long remaining = deadline - clock.millis();
            if (remaining <= 0 || !process.waitFor(remaining, TimeUnit.MILLISECONDS)) {
                ProcessTrees.kill(process.toHandle(), folder.root());
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
            ProcessTrees.kill(process.toHandle(), folder.root());
            throw e;
        }
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
