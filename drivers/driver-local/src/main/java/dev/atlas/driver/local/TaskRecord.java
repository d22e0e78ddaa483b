package dev.atlas.driver.local;

import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus;
import dev.atlas.api.driver.JobStatus.State;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * One task of the local driver: its folder and its state. The state is kept in memory and mirrored to
 * {@code <task>/state.properties} on every change, so that a restarted Atlas still reports finished tasks.
 * Transitions are synchronized: the job's runner thread and {@code cancel} race for the last word.
 */
final class TaskRecord {
    static final String STATE_FILE = "state.properties";

    private final String taskId;
    private final String name;
    private final Path folder;
    /** The app the task belongs to ({@link JobSpec#appId()}); empty in a state file written before it was kept. */
    private final String appId;
    private State state;
    private String detail;
    private ProcessHandle process;
    private boolean cancelRequested;

    TaskRecord(String taskId, String appId, String name, Path folder, State state, String detail) {
        this.taskId = taskId;
        this.appId = appId == null ? "" : appId;
        this.name = name;
        this.folder = folder;
        this.state = state;
        this.detail = detail;
    }

    String taskId() {
        return taskId;
    }

    String name() {
        return name;
    }

    Path folder() {
        return folder;
    }

    /** The job reference given to the cloud: it names the folder without disclosing where the data folder is. */
    String ref() {
        return "local/" + name;
    }

    synchronized JobStatus status() {
        return new JobStatus(taskId, ref(), state, detail,
            appId.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(appId));
    }

    synchronized State state() {
        return state;
    }

    synchronized boolean isTerminal() {
        return isTerminal(state);
    }

    synchronized boolean cancelRequested() {
        return cancelRequested;
    }

    /** Moves PENDING to RUNNING; false when the task was cancelled meanwhile (the runner then does nothing). */
    synchronized boolean start() throws IOException {
        if (state != State.PENDING) {
            return false;
        }
        state = State.RUNNING;
        detail = "running";
        save(folder);
        return true;
    }

    /**
     * Remembers the process of the step now running, so that {@code cancel} and a restarted Atlas can kill it.
     * False when a cancel came first: the caller must kill the process it just started.
     */
    synchronized boolean attach(Process started, String step) throws IOException {
        process = started.toHandle();
        detail = "running " + step;
        save(folder);
        return !cancelRequested;
    }

    /** Records the outcome unless the task already has one (a cancel wins over the runner's late verdict). */
    synchronized void finish(State outcome, String why) throws IOException {
        process = null;
        if (isTerminal(state)) {
            return;
        }
        state = outcome;
        detail = why;
        save(folder);
    }

    /**
     * Marks the task CANCELLED and returns the process to kill, if one runs. A task that had already finished is
     * marked too, keeping its earlier outcome in the detail: cancel means the cloud withdrew the task.
     */
    synchronized Optional<ProcessHandle> cancel() throws IOException {
        cancelRequested = true;
        if (state != State.CANCELLED) {
            detail = isTerminal(state) ? "cancelled after it had finished (" + detail + ")" : "cancelled";
            state = State.CANCELLED;
            save(folder);
        }
        return Optional.ofNullable(process);
    }

    /** Writes the state file into {@code dir} (the staging folder before the task folder exists), atomically. */
    synchronized void save(Path dir) throws IOException {
        Properties p = new Properties();
        p.setProperty("taskId", taskId);
        p.setProperty("name", name);
        p.setProperty("appId", appId);
        p.setProperty("state", state.name());
        p.setProperty("detail", detail);
        if (process != null) {
            p.setProperty("pid", Long.toString(process.pid()));
            process.info().startInstant().ifPresent(t -> p.setProperty("pidStart", t.toString()));
        }
        // a temp file of its own: two records of one task (a runner left from before a restart and the recovery that
        // takes over) may save at the same moment
        Path tmp = dir.resolve(STATE_FILE + "." + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current()
            .nextLong()) + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Atlas local driver task state");
        }
        Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a task folder's state file; empty when it has none or it cannot be read. */
    static Optional<Loaded> load(Path folder) {
        Path file = folder.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            State state = State.valueOf(p.getProperty("state", "FAILED"));
            TaskRecord record = new TaskRecord(p.getProperty("taskId"), p.getProperty("appId"), p.getProperty("name"),
                folder, state,
                p.getProperty("detail", ""));
            Optional<ProcessHandle> orphan = Optional.ofNullable(p.getProperty("pid"))
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
                .filter(h -> sameStart(h, p.getProperty("pidStart")));
            return record.taskId == null || record.name == null ? Optional.empty()
                : Optional.of(new Loaded(record, orphan));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A pid alone may have been reused by an unrelated process since; the start time tells them apart. */
    private static boolean sameStart(ProcessHandle handle, String recordedStart) {
        return recordedStart != null && handle.info().startInstant().map(Instant::toString)
            .filter(recordedStart::equals).isPresent();
    }

    static boolean isTerminal(State state) {
        return state == State.SUCCEEDED || state == State.FAILED || state == State.CANCELLED;
    }

    /** A record read from disk and the process it had running, if that process still lives. */
    record Loaded(TaskRecord record, Optional<ProcessHandle> orphan) {
    }
}
