package dev.atlas.tasks;

import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.JobRef;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.tokens.Task;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a task from either ingress (HTTP or RabbitMQ) to the driver, and answers what the caller is told. A task is
 * acknowledged only once the driver accepted its job; the same task id is never submitted twice by this replica
 * (per-task lock plus {@link TaskRecords}), and across replicas the driver's idempotency by task id is the guarantee.
 * From the first moment of a stop new tasks are refused with 503, while dispatches already under way finish.
 */
public final class TaskDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(TaskDispatcher.class);
    /** What a 503 asks the caller to wait. */
    static final long RETRY_AFTER_SECONDS = 5;

    /** The answer to an accepted task (201 when {@code created}, else 200). */
    public record Outcome(String taskId, String type, String driver, String jobRef, boolean created) {
        /** The JSON body, the same over HTTP and as a queue reply. */
        public Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("taskId", taskId);
            body.put("type", type);
            body.put("driver", driver);
            body.put("jobRef", jobRef);
            body.put("status", "accepted");
            return body;
        }

        public int httpStatus() {
            return created ? 201 : 200;
        }
    }

    private final TaskParser parser;
    private final JobBuilder jobs;
    private final Map<String, VcsProvider> providers;
    private final Driver driver;
    private final String driverId;
    private final TaskRecords records;
    private final MicrometerMetrics metrics;
    private final BooleanSupplier stopping;
    private final Object[] stripes = new Object[1024];
    private final ReentrantLock inflightLock = new ReentrantLock();
    private final Condition idle = inflightLock.newCondition();
    private int inflight;

    TaskDispatcher(TaskParser parser, JobBuilder jobs, Map<String, VcsProvider> providers, Driver driver,
        String driverId, TaskRecords records, MicrometerMetrics metrics, BooleanSupplier stopping) {
        this.parser = parser;
        this.jobs = jobs;
        this.providers = providers;
        this.driver = driver;
        this.driverId = driverId;
        this.records = records;
        this.metrics = metrics;
        this.stopping = stopping;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /**
     * Validates and dispatches one task.
     *
     * @param pathTaskId the id from the URL, or null when it comes from the body (queue)
     * @throws AtlasException 400 invalid field, 404 unknown app or cancel target, 413 too large for the backend,
     *     502 the VCS refused a clone credential, 503 driver or VCS unreachable, or stopping
     */
    public Outcome accept(String pathTaskId, byte[] body) {
        enter();
        try {
            Task task;
            try {
                task = parser.parse(pathTaskId, body);
                PullRequestCalls.requireCapability(task, providers.get(task.appId()));
            } catch (AtlasException e) {
                metrics.count("tasks_received_total", "type", "invalid", "driver", driverId);
                metrics.count("tasks_rejected_total", "reason", e.kind() == ErrorKind.NOT_FOUND ? "unknown_app"
                    : "invalid");
                throw e;
            }
            metrics.count("tasks_received_total", "type", task.type(), "driver", driverId);
            long start = System.nanoTime();
            Outcome outcome = dispatch(task);
            metrics.time("tasks_dispatch_latency", Duration.ofNanos(System.nanoTime() - start), "type", task.type(),
                "driver", driverId);
            metrics.count(outcome.created() ? "tasks_accepted_total" : "tasks_duplicate_total", "type", task.type(),
                "driver", driverId);
            return outcome;
        } finally {
            leave();
        }
    }

    private Outcome dispatch(Task task) {
        Optional<TaskRecords.Accepted> known = records.find(task.taskId());
        if (known.isPresent()) {
            return repeat(task, known.get());
        }
        synchronized (stripes[Math.floorMod(task.taskId().hashCode(), stripes.length)]) {
            known = records.find(task.taskId());
            if (known.isPresent()) {
                return repeat(task, known.get());
            }
            JobRef ref = task.body() instanceof Task.Cancel cancel ? cancelTarget(task, cancel) : submit(task);
            records.save(new TaskRecords.Accepted(task.taskId(), task.appId(), task.type(), driverId, ref.ref()));
            return new Outcome(task.taskId(), task.type(), driverId, ref.ref(), ref.created());
        }
    }

    private Outcome repeat(Task task, TaskRecords.Accepted known) {
        if (!known.appId().isEmpty() && !known.appId().equals(task.appId())) {
            throw otherApp(task.taskId());
        }
        if (!known.type().equals(task.type())) {
            throw new AtlasException(ErrorKind.CONFLICT, "taskId: task " + task.taskId() + " was accepted as a "
                + known.type() + " task");
        }
        return new Outcome(known.taskId(), known.type(), known.driver(), known.jobRef(), false);
    }

    private JobRef submit(Task task) {
        JobSpec spec;
        try {
            spec = jobs.build(task, providers.get(task.appId()));
        } catch (CredentialException e) {
            metrics.count("tasks_failed_total", "type", task.type(), "driver", driverId, "reason", "credentials");
            LOG.warn("task {}: no clone credential for app {}: {}", task.taskId(), task.appId(), e.getMessage());
            if (e.unreachable()) {
                throw AtlasException.unavailable("the VCS cannot be reached for a clone credential",
                    RETRY_AFTER_SECONDS, e);
            }
            throw new AtlasException(ErrorKind.UPSTREAM_UNAVAILABLE, "no clone credential: " + e.getMessage());
        }
        try {
            JobRef ref = onDriver(() -> driver.submit(spec));
            if (!ref.created()) {
                // another replica (or a lost record) accepted this task id: only ever answer for the same app
                Optional<String> owner = status(task.taskId()).flatMap(JobStatus::appId);
                if (owner.isPresent() && !owner.get().equals(task.appId())) {
                    throw otherApp(task.taskId());
                }
            }
            LOG.info("task {} ({}) {} as {}", task.taskId(), task.type(), ref.created() ? "accepted" : "already known",
                ref.ref());
            return ref;
        } catch (DriverException e) {
            throw driverFailure(task.type(), e);
        }
    }

    private static AtlasException otherApp(String taskId) {
        return new AtlasException(ErrorKind.CONFLICT, "taskId: task " + taskId + " belongs to another app");
    }

    /** A cancel acts only within its own app: another app's task is answered as if there were no job. */
    private JobRef cancelTarget(Task task, Task.Cancel cancel) {
        String target = cancel.targetTaskId();
        Optional<JobStatus> status = status(target);
        Optional<String> owner = status.flatMap(JobStatus::appId)
            .or(() -> records.find(target).map(TaskRecords.Accepted::appId).filter(a -> !a.isEmpty()));
        if (status.isEmpty() || owner.isPresent() && !owner.get().equals(task.appId())) {
            throw AtlasException.notFound("targetTaskId: no job for task " + target);
        }
        cancel(target);
        LOG.info("task {} cancelled task {}", task.taskId(), target);
        return new JobRef(status.get().jobRef(), true);
    }

    /** The job's state from the driver, or empty when the driver knows no job for {@code taskId}. */
    public Optional<JobStatus> status(String taskId) {
        try {
            return onDriver(() -> driver.status(taskId));
        } catch (DriverException e) {
            throw driverFailure("status", e);
        }
    }

    /** Cancels the job of {@code taskId}; false when there was none. */
    public boolean cancel(String taskId) {
        try {
            boolean cancelled = onDriver(() -> driver.cancel(taskId));
            if (cancelled) {
                metrics.count("tasks_cancelled_total", "driver", driverId);
            }
            return cancelled;
        } catch (DriverException e) {
            throw driverFailure("cancel", e);
        }
    }

    private AtlasException driverFailure(String type, DriverException e) {
        String reason = e.kind().name().toLowerCase(java.util.Locale.ROOT);
        metrics.count("tasks_failed_total", "type", type, "driver", driverId, "reason", reason);
        LOG.warn("driver {} failed ({}): {}", driverId, reason, e.getMessage());
        return switch (e.kind()) {
            case UNAVAILABLE -> AtlasException.unavailable("the " + driverId + " backend cannot be reached",
                RETRY_AFTER_SECONDS, e);
            case TOO_LARGE -> new AtlasException(ErrorKind.PAYLOAD_TOO_LARGE, "the job does not fit the backend: "
                + e.getMessage());
            case REJECTED -> AtlasException.badRequest("the backend refused the job: " + e.getMessage());
        };
    }

    /** A driver call. */
    private interface DriverCall<T> {
        T run() throws DriverException;
    }

    /** Runs a driver call with the plugin's class loader as context loader (libraries inside use ServiceLoader). */
    private <T> T onDriver(DriverCall<T> call) throws DriverException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(driver.getClass().getClassLoader());
        try {
            return call.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** The type of a task this replica accepted, if it did. */
    public Optional<String> knownType(String taskId) {
        return records.find(taskId).map(TaskRecords.Accepted::type);
    }

    public String driverId() {
        return driverId;
    }

    private void enter() {
        inflightLock.lock();
        try {
            if (stopping.getAsBoolean()) {
                metrics.count("tasks_rejected_total", "reason", "stopping");
                throw AtlasException.unavailable("Atlas is stopping; send the task again", RETRY_AFTER_SECONDS, null);
            }
            inflight++;
        } finally {
            inflightLock.unlock();
        }
    }

    private void leave() {
        inflightLock.lock();
        try {
            inflight--;
            if (inflight == 0) {
                idle.signalAll();
            }
        } finally {
            inflightLock.unlock();
        }
    }

    /** Waits until no dispatch is under way (new ones are refused once stopping); false when {@code timeout} passed. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        inflightLock.lock();
        try {
            while (inflight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            inflightLock.unlock();
        }
    }
}
