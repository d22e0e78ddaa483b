package dev.atlas.driver.local;

import dev.atlas.api.HostContext;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.DriverHealth;
import dev.atlas.api.driver.JobRef;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus;
import dev.atlas.api.driver.JobStatus.State;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs task jobs on the Atlas machine, one private folder per task under {@code workDir}: Atlas's own steps as
 * processes of the Atlas distribution, the task's own commands in a bubblewrap sandbox ({@link StepProcesses}). The
 * folder is the record of the task: it exists from the moment the task is accepted (it is built aside and renamed
 * into place, so it is never half-made), it holds the state file that answers {@link #status} after a restart, and
 * its existence makes a second submit of the same task a no-op. When the job ends only the state file stays.
 */
public final class LocalDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(LocalDriver.class);
    /** Names become folder and log file names: only DNS-1123 labels, so nothing can climb out of workDir. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][-._A-Za-z0-9]{0,127}");
    private static final String STAGING_PREFIX = ".staging-";

    private final LocalSettings settings;
    private final String searchPath;
    private final Map<String, TaskRecord> tasks = new ConcurrentHashMap<>();
    /**
     * Guards the check-then-create of one job folder; submits of other names rarely wait (a holder does file I/O, so
     * with 64 stripes twenty request threads met often: 459 waits of 10 ms or more in a 40 s bench run).
     */
    private final Object[] stripes = new Object[1024];
    /** Free places in the queue of jobs waiting for a runner ({@code maxQueued}). */
    private final Semaphore queueSlots;
    private Path workDir;
    private Clock clock;
    private ThreadPoolExecutor executor;
    private StepProcesses processes;
    private volatile boolean closed;

    LocalDriver(LocalSettings settings) {
        this(settings, System.getenv("PATH"));
    }

    /** @param searchPath where to look for {@code bwrap} (tests pass a PATH without it) */
    LocalDriver(LocalSettings settings, String searchPath) {
        this.settings = settings;
        this.searchPath = searchPath;
        this.queueSlots = new Semaphore(settings.maxQueued());
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /** Whether the task's own commands run in the sandbox (false only when {@code unsandboxed} allowed it). */
    boolean sandboxed() {
        return processes != null && processes.sandboxed();
    }

    Path workDir() {
        return workDir;
    }

    @Override
    public void open(HostContext host) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            throw new IOException("the local driver needs a POSIX file system to keep secret files private");
        }
        clock = host.clock();
        Path base = host.dataDir().resolve("jobs");
        workDir = settings.workDir().map(p -> host.dataDir().resolve(p)).orElse(base).toAbsolutePath().normalize();
        Files.createDirectories(workDir);
        recover();
        Optional<Sandbox> sandbox = SandboxCheck.choose(settings.unsandboxed(), searchPath,
            SandboxCheck.scratchIn(workDir, STAGING_PREFIX), SandboxCheck.atlasFolders(host, workDir));
        processes = new StepProcesses(sandbox, host.atlasHome(), Sandbox.locate(searchPath, "nice"));
        AtomicInteger threads = new AtomicInteger();
        executor = new ThreadPoolExecutor(settings.maxConcurrent(), settings.maxConcurrent(), 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "atlas-local-job-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
    }

    /**
     * Reads the task folders left by an earlier run. Staging folders were never accepted and hold secrets: they go.
     * A job that was pending or running when Atlas stopped is not resumed (its tokens may have expired): its
     * process is killed if it survived and it is reported FAILED. Every task folder is cleared down to its state.
     */
    private void recover() throws IOException {
        List<Path> folders;
        try (Stream<Path> listing = TaskFolder.list(workDir)) {
            folders = listing.toList();
        }
        for (Path folder : folders) {
            if (folder.getFileName().toString().startsWith(STAGING_PREFIX)) {
                TaskFolder.deleteTree(folder);
                continue;
            }
            Optional<TaskRecord.Loaded> loaded = TaskRecord.load(folder);
            if (loaded.isEmpty()) {
                continue;
            }
            TaskRecord record = loaded.get().record();
            if (!record.isTerminal()) {
                loaded.get().orphan().ifPresentOrElse(p -> ProcessTrees.kill(p, folder),
                    () -> ProcessTrees.killWritingInto(folder));
                record.finish(State.FAILED, "interrupted: Atlas restarted while the job was "
                    + record.state().name().toLowerCase(Locale.ROOT));
            }
            // a job that ended while Atlas was stopping (or a folder of an older Atlas) may still hold its workspace
            new TaskFolder(folder).clearAfterRun();
            tasks.put(record.taskId(), record);
        }
    }

    /**
     * Accepts the job: its folder is built aside and renamed into place (the commit point: from then on a restart
     * reports it), then the job joins the bounded queue of {@code maxConcurrent} runners and the call returns. No
     * process starts on the caller's thread. Submits of different tasks run in parallel (a lock per job name guards
     * the check-then-create of one folder); a full queue refuses the task before anything is created.
     */
    @Override
    public JobRef submit(JobSpec spec) throws DriverException {
        validate(spec);
        if (closed || executor == null) {
            throw new DriverException(DriverException.Kind.UNAVAILABLE, "the local driver is not running");
        }
        TaskRecord known = tasks.get(spec.taskId());
        if (known != null) {
            return new JobRef(known.ref(), false);
        }
        synchronized (stripes[Math.floorMod(spec.name().hashCode(), stripes.length)]) {
            known = tasks.get(spec.taskId());
            if (known != null) {
                return new JobRef(known.ref(), false);
            }
            Path target = workDir.resolve(spec.name());
            if (Files.exists(target)) {
                // a folder without a readable record is still a submitted task: never run it twice
                Optional<TaskRecord> other = TaskRecord.load(target).map(TaskRecord.Loaded::record);
                if (other.isPresent() && !other.get().taskId().equals(spec.taskId())) {
                    throw new DriverException(DriverException.Kind.REJECTED,
                        "job name " + spec.name() + " is already used by another task");
                }
                return new JobRef("local/" + spec.name(), false);
            }
            if (!queueSlots.tryAcquire()) {
                throw new DriverException(DriverException.Kind.UNAVAILABLE, "the local driver's queue is full ("
                    + settings.maxQueued() + " jobs wait for one of " + settings.maxConcurrent() + " runners)");
            }
            boolean queued = false;
            try {
                TaskRecord record = create(spec, target);
                tasks.put(spec.taskId(), record);
                try {
                    executor.execute(new JobRunner(spec, record, new TaskFolder(target), clock, processes,
                        queueSlots::release));
                } catch (RejectedExecutionException e) {
                    // only when closing: the recorded PENDING task turns FAILED on the next start
                    throw new DriverException(DriverException.Kind.UNAVAILABLE, "the local driver is stopping", e);
                }
                queued = true;
                LOG.debug("local job {} accepted for task {}", spec.name(), spec.taskId());
                return new JobRef(record.ref(), true);
            } finally {
                if (!queued) {
                    queueSlots.release();
                }
            }
        }
    }

    /** Builds the task's folder aside and renames it into place, so that it never exists half-made. */
    private TaskRecord create(JobSpec spec, Path target) throws DriverException {
        TaskRecord record = new TaskRecord(spec.taskId(), spec.appId(), spec.name(), target, State.PENDING, "queued");
        // unique, not secret: a random long from the thread's own generator, not the SecureRandom all threads share
        Path staging = workDir.resolve(STAGING_PREFIX + spec.name() + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            new TaskFolder(staging).create(spec);
            record.save(staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return record;
        } catch (IOException e) {
            deleteQuietly(staging);
            throw new DriverException(DriverException.Kind.UNAVAILABLE,
                "could not prepare the folder of job " + spec.name() + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private static void validate(JobSpec spec) throws DriverException {
        List<String> problems = new ArrayList<>();
        if (spec.name() == null || !LABEL.matcher(spec.name()).matches()) {
            problems.add("job name must be a DNS-1123 label");
        }
        List<ContainerSpec> steps = new ArrayList<>(spec.initContainers());
        steps.add(spec.main());
        for (ContainerSpec step : steps) {
            if (step == null || step.name() == null || !LABEL.matcher(step.name()).matches()) {
                problems.add("step names must be DNS-1123 labels");
            } else if (step.command() == null || step.command().isEmpty()) {
                problems.add("step " + step.name() + " has no command");
            }
        }
        Stream.concat(spec.taskFiles().keySet().stream(), spec.secretFiles().keySet().stream())
            .filter(n -> !FILE_NAME.matcher(n).matches())
            .findFirst().ifPresent(n -> problems.add("file names must be plain names"));
        if (spec.timeLimit() == null || spec.timeLimit().isNegative() || spec.timeLimit().isZero()) {
            problems.add("time limit must be positive");
        }
        if (!problems.isEmpty()) {
            throw new DriverException(DriverException.Kind.REJECTED, String.join("; ", problems));
        }
    }

    @Override
    public Optional<JobStatus> status(String taskId) {
        return Optional.ofNullable(tasks.get(taskId)).map(TaskRecord::status);
    }

    @Override
    public boolean cancel(String taskId) throws DriverException {
        TaskRecord record = tasks.get(taskId);
        if (record == null) {
            return false;
        }
        try {
            record.cancel().ifPresent(p -> ProcessTrees.kill(p, record.folder()));
            new TaskFolder(record.folder()).wipeSecrets();
        } catch (IOException e) {
            throw new DriverException(DriverException.Kind.UNAVAILABLE,
                "could not record the cancel of job " + record.name() + ": " + e.getClass().getSimpleName(), e);
        }
        LOG.info("local job {} cancelled", record.name());
        return true;
    }

    @Override
    public DriverHealth health() {
        if (closed || workDir == null) {
            return DriverHealth.down("not running");
        }
        if (Files.isDirectory(workDir) && Files.isWritable(workDir)) {
            return DriverHealth.up("work folder writable");
        }
        return DriverHealth.down("work folder " + workDir + " is not a writable folder");
    }

    /** Stops the workers; running jobs are killed (their runner threads are interrupted) and recorded FAILED. */
    @Override
    public void close() {
        closed = true;
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("local jobs did not stop within 10s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            TaskFolder.deleteTree(dir);
        } catch (IOException e) {
            LOG.warn("could not delete staging folder {}: {}", dir.getFileName(), e.toString());
        }
    }
}
