package dev.atlas.driver.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.api.HostContext;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.DriverHealth;
import dev.atlas.api.driver.JobRef;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus;
import dev.atlas.api.driver.JobStatus.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each task as one Nomad batch job, over Nomad's HTTP API.
 *
 * <p><b>Submit.</b> If the job exists, nothing is created ({@code created == false}). Otherwise the secrets are
 * written to the Variable {@code nomad/jobs/<job id>} (readable by that job's tasks without any extra ACL policy),
 * then the job is registered with {@code EnforceIndex: true, JobModifyIndex: 0}, which Nomad applies only if no
 * job of that id exists: two concurrent submits cannot both register. If registration fails, the Variable is
 * deleted again (unless the failure says the job exists: then it belongs to that job).
 *
 * <p><b>Time limit.</b> Nomad has no run-time limit for batch jobs ({@code kill_timeout} only bounds the stop).
 * The deadline (registration time plus the task's time limit) is stored in the job's {@code Meta} as
 * {@code atlas_deadline}, and the driver stops jobs past it: on every {@link #status} call and in a sweep every
 * {@value #SWEEP_SECONDS} s over the namespace's {@code atlas-} jobs. The deadline lives in Nomad, so a restarted
 * Atlas keeps enforcing it; while no Atlas runs, an overdue job runs on until the next sweep. A job stopped this
 * way reports FAILED ("time limit exceeded"). The job's command is not wrapped in {@code timeout}: that would
 * require the binary in every image and change the command the cloud asked for.
 */
public final class NomadDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(NomadDriver.class);
    static final long SWEEP_SECONDS = 15;
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);
    private static final String ENFORCE_INDEX_FAILURE = "Enforcing job modify index";

    private final NomadSettings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final NomadJobs jobs;
    /** Jobs whose variable was already deleted after they ended: the sweep does not delete it again. */
    private final Set<String> cleaned = ConcurrentHashMap.newKeySet();
    private NomadApi api;
    private Clock clock;
    private ScheduledExecutorService sweeper;

    NomadDriver(NomadSettings settings) {
        this.settings = settings;
        this.jobs = new NomadJobs(settings, json);
    }

    @Override
    public void open(HostContext host) {
        api = new NomadApi(settings, host.httpClient(), json);
        clock = host.clock();
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "atlas-nomad-deadlines");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    private static String jobPath(String jobId) {
        return "/v1/job/" + jobId;
    }

    private static String variableApiPath(String jobId) {
        return "/v1/var/" + NomadIds.variablePath(jobId);
    }

    private String ref(String jobId) {
        return settings.namespace() + "/job/" + jobId;
    }

    @Override
    public JobRef submit(JobSpec spec) throws DriverException {
        NomadJobChecks.validate(spec, settings);
        String jobId = NomadIds.jobId(spec.taskId());
        JsonNode register = jobs.register(spec, jobId, clock.instant().plus(spec.timeLimit()));
        Optional<JsonNode> existing = job(jobId);
        if (existing.isPresent()) {
            requireSameTask(existing.get(), spec.taskId(), jobId);
            return new JobRef(ref(jobId), false);
        }
        NomadApi.Answer stored;
        try {
            stored = api.put(variableApiPath(jobId), jobs.variable(jobId, spec.secretFiles()));
        } catch (DriverException e) {
            // the write may have landed before the answer was lost
            deleteVariable(jobId);
            throw e;
        }
        if (!stored.ok()) {
            throw NomadApi.failure("variable", stored);
        }
        NomadApi.Answer registered;
        try {
            registered = api.post("/v1/jobs", register);
        } catch (DriverException e) {
            deleteVariable(jobId);
            throw e;
        }
        if (registered.ok()) {
            cleaned.remove(jobId);
            LOG.info("nomad job {} registered for task {}", ref(jobId), spec.taskId());
            return new JobRef(ref(jobId), true);
        }
        if (registered.body() != null && registered.body().contains(ENFORCE_INDEX_FAILURE)) {
            // registered by a concurrent submit of the same task after our lookup; the variable is now its
            return new JobRef(ref(jobId), false);
        }
        deleteVariable(jobId);
        throw NomadApi.failure("job", registered);
    }

    private static void requireSameTask(JsonNode job, String taskId, String jobId) throws DriverException {
        if (!taskId.equals(job.path("Meta").path(NomadJobs.META_TASK_ID).asText(null))) {
            throw new DriverException(DriverException.Kind.REJECTED,
                "Nomad job " + jobId + " exists and belongs to another task");
        }
    }

    /** The registered job, or empty when Nomad has none of that id. */
    private Optional<JsonNode> job(String jobId) throws DriverException {
        NomadApi.Answer answer = api.get(jobPath(jobId), Map.of());
        if (answer.status() == 404) {
            return Optional.empty();
        }
        if (!answer.ok()) {
            throw NomadApi.failure("job lookup", answer);
        }
        return Optional.of(api.parse(answer));
    }

    @Override
    public Optional<JobStatus> status(String taskId) throws DriverException {
        String jobId = NomadIds.jobId(taskId);
        Optional<JsonNode> found = job(jobId);
        if (found.isEmpty() || !taskId.equals(found.get().path("Meta").path(NomadJobs.META_TASK_ID).asText(null))) {
            return Optional.empty();
        }
        JsonNode job = found.get();
        if (enforceDeadline(jobId, job)) {
            return Optional.of(new JobStatus(taskId, ref(jobId), State.FAILED, timeLimitDetail(),
                Optional.ofNullable(job.path("Meta").path("atlas_app").asText(null))));
        }
        String status = job.path("Status").asText("");
        JobStatus result = switch (status) {
            case "pending" -> new JobStatus(taskId, ref(jobId), State.PENDING, "waiting for placement");
            case "running" -> new JobStatus(taskId, ref(jobId), State.RUNNING, "running");
            default -> ended(taskId, jobId, job);
        };
        if (result.state() != State.PENDING && result.state() != State.RUNNING) {
            forgetSecrets(jobId);
        }
        return Optional.of(new JobStatus(result.taskId(), result.jobRef(), result.state(), result.detail(),
            Optional.ofNullable(job.path("Meta").path("atlas_app").asText(null))));
    }

    private JobStatus ended(String taskId, String jobId, JsonNode job) throws DriverException {
        if (job.path("Stop").asBoolean(false)) {
            return pastDeadline(job)
                ? new JobStatus(taskId, ref(jobId), State.FAILED, timeLimitDetail())
                : new JobStatus(taskId, ref(jobId), State.CANCELLED, "stopped");
        }
        NomadApi.Answer answer = api.get(jobPath(jobId) + "/allocations", Map.of());
        if (!answer.ok()) {
            throw NomadApi.failure("allocation lookup", answer);
        }
        JsonNode latest = null;
        for (JsonNode alloc : api.parse(answer)) {
            if (latest == null || alloc.path("CreateIndex").asLong() > latest.path("CreateIndex").asLong()) {
                latest = alloc;
            }
        }
        if (latest == null) {
            return new JobStatus(taskId, ref(jobId), State.FAILED, "no allocation was placed");
        }
        String client = latest.path("ClientStatus").asText("");
        if (client.equals("complete")) {
            return new JobStatus(taskId, ref(jobId), State.SUCCEEDED, "exit code 0");
        }
        return new JobStatus(taskId, ref(jobId), State.FAILED, "allocation " + client + exitDetail(latest));
    }

    /** {@code ; task main exited with code 3} from the allocation's task events, when one exited non-zero. */
    private static String exitDetail(JsonNode alloc) {
        var names = alloc.path("TaskStates").fieldNames();
        while (names.hasNext()) {
            String task = names.next();
            for (JsonNode event : alloc.path("TaskStates").path(task).path("Events")) {
                if ("Terminated".equals(event.path("Type").asText()) && event.path("ExitCode").asInt(0) != 0) {
                    return "; task " + task + " exited with code " + event.path("ExitCode").asInt();
                }
            }
        }
        return "";
    }

    private boolean pastDeadline(JsonNode job) {
        String deadline = job.path("Meta").path(NomadJobs.META_DEADLINE).asText("");
        try {
            return !deadline.isEmpty() && !clock.instant().isBefore(Instant.ofEpochSecond(Long.parseLong(deadline)));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String timeLimitDetail() {
        return "time limit exceeded; stopped by Atlas";
    }

    /** Stops a pending or running job past its deadline (not purged: its status stays readable). */
    private boolean enforceDeadline(String jobId, JsonNode job) throws DriverException {
        String status = job.path("Status").asText("");
        if (job.path("Stop").asBoolean(false) || status.equals("dead") || !pastDeadline(job)) {
            return false;
        }
        NomadApi.Answer stopped = api.delete(jobPath(jobId), Map.of());
        if (!stopped.ok() && stopped.status() != 404) {
            throw NomadApi.failure("stop", stopped);
        }
        LOG.info("nomad job {} stopped: past its time limit", ref(jobId));
        forgetSecrets(jobId);
        return true;
    }

    /** One pass over the namespace's Atlas jobs: stops the overdue, drops the variables of the ended. */
    void sweep() throws DriverException {
        NomadApi.Answer answer = api.get("/v1/jobs", Map.of("prefix", NomadIds.PREFIX));
        if (!answer.ok()) {
            throw NomadApi.failure("job list", answer);
        }
        for (JsonNode stub : api.parse(answer)) {
            String jobId = stub.path("ID").asText();
            boolean ended = stub.path("Stop").asBoolean(false) || "dead".equals(stub.path("Status").asText());
            if (ended) {
                forgetSecrets(jobId);
                continue;
            }
            Optional<JsonNode> job = job(jobId);
            if (job.isPresent() && job.get().path("Meta").has(NomadJobs.META_TASK_ID)) {
                enforceDeadline(jobId, job.get());
            }
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (DriverException | RuntimeException e) {
            LOG.warn("nomad deadline sweep failed: {}", e.getMessage());
        }
    }

    /** Deletes the variable of a job that has ended: the tokens are not needed any more. */
    private void forgetSecrets(String jobId) {
        if (cleaned.contains(jobId)) {
            return;
        }
        if (deleteVariable(jobId)) {
            cleaned.add(jobId);
        }
    }

    private boolean deleteVariable(String jobId) {
        try {
            NomadApi.Answer answer = api.delete(variableApiPath(jobId), Map.of());
            if (answer.ok() || answer.status() == 404) {
                return true;
            }
            LOG.warn("could not delete the variable of nomad job {} (HTTP {})", jobId, answer.status());
        } catch (DriverException e) {
            LOG.warn("could not delete the variable of nomad job {}: {}", jobId, e.getMessage());
        }
        return false;
    }

    /** Stops and purges the job, and deletes its variable. */
    @Override
    public boolean cancel(String taskId) throws DriverException {
        String jobId = NomadIds.jobId(taskId);
        Optional<JsonNode> job = job(jobId);
        if (job.isEmpty() || !taskId.equals(job.get().path("Meta").path(NomadJobs.META_TASK_ID).asText(null))) {
            return false;
        }
        NomadApi.Answer purged = api.delete(jobPath(jobId), Map.of("purge", "true"));
        if (!purged.ok() && purged.status() != 404) {
            throw NomadApi.failure("stop", purged);
        }
        if (!deleteVariable(jobId)) {
            throw new DriverException(DriverException.Kind.UNAVAILABLE,
                "nomad job " + jobId + " was stopped but its variable could not be deleted; cancel again");
        }
        LOG.info("nomad job {} stopped and purged (task cancelled)", ref(jobId));
        return true;
    }

    /** {@code GET /v1/status/leader}: up when the cluster has a leader, within a few seconds. */
    @Override
    public DriverHealth health() {
        if (api == null) {
            return DriverHealth.down("not open");
        }
        try {
            NomadApi.Answer answer = api.get("/v1/status/leader", HEALTH_TIMEOUT);
            if (answer.ok() && !api.parse(answer).asText("").isEmpty()) {
                return DriverHealth.up("Nomad has a leader");
            }
            return DriverHealth.down("Nomad answered HTTP " + answer.status() + " without a leader");
        } catch (DriverException e) {
            return DriverHealth.down(e.getMessage());
        }
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }
}
