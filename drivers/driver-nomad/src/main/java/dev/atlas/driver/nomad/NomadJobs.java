package dev.atlas.driver.nomad;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.JobSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds the request bodies of a task: the Nomad Variable with its secrets and the batch job that reads them.
 *
 * <p>The job contract on Nomad (SPEC §6): one group, {@code bridge} network mode (its own network namespace: the
 * operator's CNI/firewall confines it to Atlas and DNS). The three parts map onto Nomad's lifecycle hooks, the
 * only ordering Nomad has inside a group: {@code clone} is a {@code prestart} task, the task's own container a main
 * task, {@code report} a {@code poststop} task (a job without the task's own container, a patch, is one main
 * task). Each task renders its files with {@code template} blocks before it starts. Secrets:
 * {@code secrets/<name>} (Nomad's per-task secrets dir, {@code ATLAS_SECRETS_DIR=${NOMAD_SECRETS_DIR}}), rendered
 * from the job's own variable <em>only in Atlas's own tasks</em> ({@link ContainerSpec#seesSecrets()}), so no
 * secret is ever inside the job and the task's code never sees one. Task files: {@code local/task/<name>}
 * ({@code ATLAS_TASK_DIR=${NOMAD_TASK_DIR}/task}), embedded in the job as {@code base64Decode} of the exact bytes:
 * the content is never parsed as a template (a patch that contains template braces stays text) and binary files
 * survive. Workspace: {@code ATLAS_WORKSPACE=${NOMAD_ALLOC_DIR}/data} and results:
 * {@code ATLAS_RESULTS_DIR=${NOMAD_ALLOC_DIR}/tmp}, the allocation's shared folders (Nomad creates both, writable
 * by every task of the group, before any task starts).
 */
final class NomadJobs {
    static final String META_TASK_ID = "atlas_task_id";
    static final String META_DEADLINE = "atlas_deadline";
    static final String GROUP = "task";
    static final String TASK_DIR = "local/task";
    static final String NETWORK_MODE = "bridge";
    static final String PRESTART = "prestart";
    static final String POSTSTOP = "poststop";
    /** Task files are embedded in the job: keep the job small enough for Nomad's Raft log, as on Kubernetes. */
    static final int MAX_TASK_FILE_BYTES = 1024 * 1024;
    private static final long KILL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int EPHEMERAL_DISK_MB = 1024;

    private final NomadSettings settings;
    private final ObjectMapper json;

    NomadJobs(NomadSettings settings, ObjectMapper json) {
        this.settings = settings;
        this.json = json;
    }

    /** The variable item of a secret file: Go templates read {@code .clone_token}, not {@code .clone-token}. */
    static String itemKey(String fileName) {
        return fileName.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** {@code PUT /v1/var/nomad/jobs/<id>}: {@code Namespace}, {@code Path}, {@code Items}. */
    ObjectNode variable(String jobId, Map<String, Secret> secretFiles) {
        ObjectNode body = json.createObjectNode();
        body.put("Namespace", settings.namespace());
        body.put("Path", NomadIds.variablePath(jobId));
        ObjectNode items = body.putObject("Items");
        secretFiles.forEach((name, secret) -> items.put(itemKey(name), secret.reveal()));
        return body;
    }

    /**
     * {@code POST /v1/jobs} with {@code EnforceIndex: true, JobModifyIndex: 0}: Nomad registers the job only if
     * no job of that id exists, atomically.
     */
    ObjectNode register(JobSpec spec, String jobId, Instant deadline) throws DriverException {
        long taskBytes = spec.taskFiles().values().stream().mapToLong(b -> b.length).sum();
        if (taskBytes > MAX_TASK_FILE_BYTES) {
            throw new DriverException(DriverException.Kind.TOO_LARGE,
                "the task files take " + taskBytes + " bytes; a Nomad job carries at most " + MAX_TASK_FILE_BYTES);
        }
        ObjectNode body = json.createObjectNode();
        ObjectNode job = body.putObject("Job");
        job.put("ID", jobId);
        job.put("Name", jobId);
        job.put("Type", "batch");
        job.put("Namespace", settings.namespace());
        settings.region().ifPresent(r -> job.put("Region", r));
        ArrayNode dcs = job.putArray("Datacenters");
        settings.datacenters().forEach(dcs::add);
        ObjectNode meta = job.putObject("Meta");
        meta.put(META_TASK_ID, spec.taskId());
        meta.put("atlas_type", spec.type());
        meta.put("atlas_app", spec.appId());
        meta.put("atlas_managed_by", "atlas");
        meta.put(META_DEADLINE, Long.toString(deadline.getEpochSecond()));
        // the spec's labels (atlas.dev/job, atlas.dev/task-id …), as Kubernetes puts them on the pod
        spec.labels().forEach(meta::put);
        meta.put(JobSpec.JOB_LABEL, "true");
        ObjectNode group = job.putArray("TaskGroups").addObject();
        group.put("Name", GROUP);
        group.put("Count", 1);
        ObjectNode restart = group.putObject("RestartPolicy");
        restart.put("Attempts", 0);
        restart.put("Mode", "fail");
        restart.put("Interval", TimeUnit.HOURS.toNanos(24));
        restart.put("Delay", TimeUnit.SECONDS.toNanos(15));
        ObjectNode reschedule = group.putObject("ReschedulePolicy");
        reschedule.put("Attempts", 0);
        reschedule.put("Unlimited", false);
        ObjectNode disk = group.putObject("EphemeralDisk");
        disk.put("SizeMB", EPHEMERAL_DISK_MB);
        disk.put("Sticky", false);
        disk.put("Migrate", false);
        // its own network namespace for the allocation: no host network for the task's code
        group.putArray("Networks").addObject().put("Mode", NETWORK_MODE);
        ArrayNode tasks = group.putArray("Tasks");
        boolean hasTaskContainer = false;
        for (ContainerSpec init : spec.initContainers()) {
            ObjectNode task = task(tasks.addObject(), init, spec, jobId);
            if (init.seesSecrets()) {
                lifecycle(task, PRESTART);
            } else {
                hasTaskContainer = true;
            }
        }
        ObjectNode main = task(tasks.addObject(), spec.main(), spec, jobId);
        if (hasTaskContainer) {
            // after the main task (the task's own container) is dead; Nomad starts it whatever its outcome
            lifecycle(main, POSTSTOP);
        }
        body.put("EnforceIndex", true);
        body.put("JobModifyIndex", 0);
        return body;
    }

    private static void lifecycle(ObjectNode task, String hook) {
        ObjectNode lifecycle = task.putObject("Lifecycle");
        lifecycle.put("Hook", hook);
        lifecycle.put("Sidecar", false);
    }

    private ObjectNode task(ObjectNode task, ContainerSpec c, JobSpec spec, String jobId) {
        task.put("Name", c.name());
        task.put("Driver", settings.taskDriver());
        settings.runAsUser().ifPresent(uid -> task.put("User", Long.toString(uid)));
        ObjectNode config = task.putObject("Config");
        if (settings.runsImages()) {
            config.put("image", c.image());
        }
        config.put("command", c.command().get(0));
        ArrayNode args = config.putArray("args");
        c.command().stream().skip(1).forEach(args::add);
        ObjectNode env = task.putObject("Env");
        Map<String, String> values = new LinkedHashMap<>(c.env() == null ? Map.of() : c.env());
        // last, so a step's own env cannot point the contract folders elsewhere; Nomad interpolates ${…}
        values.put(JobSpec.TASK_DIR_ENV, "${NOMAD_TASK_DIR}/task");
        values.put(JobSpec.WORKSPACE_ENV, "${NOMAD_ALLOC_DIR}/data");
        values.put(JobSpec.RESULTS_DIR_ENV, "${NOMAD_ALLOC_DIR}/tmp");
        if (c.seesSecrets()) {
            values.put(JobSpec.SECRETS_DIR_ENV, "${NOMAD_SECRETS_DIR}");
        } else {
            values.remove(JobSpec.SECRETS_DIR_ENV);
        }
        values.forEach(env::put);
        ObjectNode resources = task.putObject("Resources");
        resources.put("CPU", NomadResources.cpuMhz(c.resources() == null ? null : c.resources().cpu()));
        resources.put("MemoryMB", NomadResources.memoryMb(c.resources() == null ? null : c.resources().memory()));
        task.put("KillTimeout", KILL_TIMEOUT_NANOS);
        ArrayNode templates = task.putArray("Templates");
        if (c.seesSecrets()) {
            secretTemplates(templates, spec, jobId);
        }
        for (Map.Entry<String, byte[]> file : spec.taskFiles().entrySet()) {
            ObjectNode t = template(templates, TASK_DIR + "/" + file.getKey(), "0444");
            t.put("EmbeddedTmpl", "{{ base64Decode \"" + Base64.getEncoder().encodeToString(file.getValue())
                + "\" }}");
        }
        return task;
    }

    /**
     * One template per secret file, read from the job's variable. Only for Atlas's own tasks: the task's own
     * containers run the cloud's code and get no template of the variable at all.
     */
    private void secretTemplates(ArrayNode templates, JobSpec spec, String jobId) {
        for (String name : spec.secretFiles().keySet()) {
            ObjectNode t = template(templates, "secrets/" + name, "0400");
            t.put("EmbeddedTmpl", "{{ with nomadVar \"" + NomadIds.variablePath(jobId) + "\" }}{{ ."
                + itemKey(name) + " }}{{ end }}");
            // a missing item fails the task instead of starting it with an empty token
            t.put("ErrMissingKey", true);
        }
    }

    private ObjectNode template(ArrayNode templates, String dest, String perms) {
        ObjectNode t = templates.addObject();
        t.put("DestPath", dest);
        t.put("Perms", perms);
        // a rewrite of the variable (a resubmit) must not restart a running task
        t.put("ChangeMode", "noop");
        settings.runAsUser().ifPresent(uid -> {
            t.put("Uid", uid.intValue());
            t.put("Gid", uid.intValue());
        });
        return t;
    }
}
