package dev.atlas.driver.kubernetes;

import dev.atlas.api.HostContext;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.DriverHealth;
import dev.atlas.api.driver.JobRef;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus;
import dev.atlas.plugin.support.KubernetesOutbound;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.ScalableResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each task as one {@code batch/v1} Job in the configured namespace, with a Secret (secret files) and a
 * ConfigMap (task files) owned by the Job.
 *
 * <p><b>Order of creation.</b> The Job is created first, then the Secret and the ConfigMap with an owner reference
 * to the new Job's uid. So every object Atlas creates has an owner from its first moment: whatever happens
 * afterwards (a failed call, Atlas killed), Kubernetes deletes the Secret with its Job, and the Job itself ends at
 * {@code activeDeadlineSeconds} and goes after {@code ttlSecondsAfterFinished}. The other order would leave a
 * Secret full of tokens without an owner if Atlas died between the calls. The pod may be scheduled before its
 * Secret exists; the kubelet retries the mount until it appears. A failed Secret or ConfigMap call deletes the
 * Job and whatever was created, so nothing is left half-made; a resubmit of a task whose Job exists recreates a
 * missing Secret or ConfigMap (the repair of a crash between the calls) and creates nothing else.
 */
public final class KubernetesDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesDriver.class);
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern FILE_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int REQUEST_TIMEOUT_MS = 15_000;
    private static final long HEALTH_TIMEOUT_MS = 3_000;
    static final int MIN_TOKEN_CHARS = 16;

    private final KubernetesSettings settings;
    private final JobManifests manifests;
    private KubernetesClient client;
    private ExecutorService healthChecks;

    KubernetesDriver(KubernetesSettings settings) {
        this.settings = settings;
        this.manifests = new JobManifests(settings);
    }

    /**
     * Builds the client; connects to nothing. fabric8 finds its HTTP client implementation with ServiceLoader
     * through the thread's context class loader, which inside a plugin is the host's: every call into fabric8
     * runs with the plugin's loader as context loader (see {@link #withPluginLoader}).
     */
    @Override
    public void open(HostContext host) throws DriverException {
        client = withPluginLoader("client", () -> {
            Config base = Config.autoConfigure(null);
            ConfigBuilder config = KubernetesOutbound.apply(new ConfigBuilder(base), base, host.outbound())
                .withNamespace(settings.namespace())
                .withConnectionTimeout(CONNECT_TIMEOUT_MS)
                .withRequestTimeout(REQUEST_TIMEOUT_MS)
                // the cloud retries a task whose submit failed; the client retrying too only delays the answer
                .withRequestRetryBackoffLimit(0);
            // only the URL: credentials still come from the service account or kubeconfig
            settings.masterUrl().ifPresent(url -> config.withMasterUrl(url.toString()));
            return new KubernetesClientBuilder().withConfig(config.build()).build();
        });
        healthChecks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "atlas-kubernetes-health");
            t.setDaemon(true);
            return t;
        });
    }

    /** Test seam: the client the driver talks through. */
    KubernetesClient client() {
        return client;
    }

    private String ref(String jobName) {
        return settings.namespace() + "/job/" + jobName;
    }

    @Override
    public JobRef submit(JobSpec spec) throws DriverException {
        validate(spec);
        // all three are built (and size-checked) before the first call: a refusal leaves nothing behind
        Secret secret = manifests.secret(spec);
        ConfigMap configMap = manifests.configMap(spec);
        Job job = manifests.job(spec);
        Job created = withPluginLoader("Job", () -> createUnlessExists(jobs().resource(job)));
        if (created == null) {
            return resubmitted(spec, secret, configMap);
        }
        List<HasMetadata> made = new ArrayList<>();
        try {
            createOwned(JobManifests.ownedBy(secret, created), created, made);
            createOwned(JobManifests.ownedBy(configMap, created), created, made);
        } catch (DriverException | RuntimeException e) {
            rollBack(created, made);
            throw e;
        }
        LOG.info("kubernetes job {} created for task {}", ref(spec.name()), spec.taskId());
        return new JobRef(ref(spec.name()), true);
    }

    /** The Job exists: the task was submitted before. Its Secret and ConfigMap are recreated if missing. */
    private JobRef resubmitted(JobSpec spec, Secret secret, ConfigMap configMap) throws DriverException {
        Job existing = withPluginLoader("Job", () -> jobs().withName(spec.name()).get());
        if (existing == null) {
            throw new DriverException(DriverException.Kind.UNAVAILABLE,
                "job " + spec.name() + " was being deleted; retry the task");
        }
        String owner = existing.getMetadata().getAnnotations() == null ? null
            : existing.getMetadata().getAnnotations().get(JobManifests.TASK_ID);
        if (!spec.taskId().equals(owner)) {
            throw new DriverException(DriverException.Kind.REJECTED,
                "job name " + spec.name() + " is already used by another task");
        }
        List<HasMetadata> made = new ArrayList<>();
        if (withPluginLoader("Secret", () -> secrets().withName(secret.getMetadata().getName()).get()) == null) {
            createOwned(JobManifests.ownedBy(secret, existing), existing, made);
        }
        if (withPluginLoader("ConfigMap", () -> configMaps().withName(configMap.getMetadata().getName()).get())
            == null) {
            createOwned(JobManifests.ownedBy(configMap, existing), existing, made);
        }
        if (!made.isEmpty()) {
            LOG.warn("kubernetes job {} was missing {} object(s); recreated them", ref(spec.name()), made.size());
        }
        return new JobRef(ref(spec.name()), false);
    }

    /**
     * Creates an object owned by {@code job}. One that exists already is accepted only when the same Job owns it
     * (a concurrent resubmit of the same task made it); anything else is a name clash that must not be used.
     */
    private void createOwned(HasMetadata object, Job job, List<HasMetadata> made) throws DriverException {
        String kind = object.getKind();
        HasMetadata created = withPluginLoader(kind,
            () -> createUnlessExists(client.resource(object).inNamespace(settings.namespace())),
            !(object instanceof Secret));
        if (created != null) {
            made.add(object);
            return;
        }
        HasMetadata found = withPluginLoader(kind, () -> client.resource(object).inNamespace(settings.namespace()).get());
        boolean ours = found != null && found.getMetadata().getOwnerReferences() != null
            && found.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> job.getMetadata().getUid().equals(o.getUid()));
        if (!ours) {
            LOG.warn("{} {} exists and does not belong to job {}; refusing to use it", kind,
                object.getMetadata().getName(), job.getMetadata().getName());
            throw new DriverException(DriverException.Kind.UNAVAILABLE,
                kind + " " + object.getMetadata().getName() + " exists already and belongs to no job of this task");
        }
    }

    /** Creates the object; null when one of that name exists already (HTTP 409). */
    private static <T> T createUnlessExists(Resource<T> resource) {
        try {
            return resource.create();
        } catch (KubernetesClientException e) {
            if (KubernetesErrors.isConflict(e)) {
                return null;
            }
            throw e;
        }
    }

    /** Deletes the Job and what this submit created. Failing that, the deadline, TTL and ownership clean up. */
    private void rollBack(Job job, List<HasMetadata> made) {
        try {
            withPluginLoader("Job", () -> jobs().withName(job.getMetadata().getName())
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
            for (HasMetadata object : made) {
                withPluginLoader(object.getKind(), () -> client.resource(object).inNamespace(settings.namespace())
                    .delete());
            }
            LOG.info("kubernetes job {} deleted after a failed submit", job.getMetadata().getName());
        } catch (DriverException e) {
            LOG.warn("kubernetes job {} could not be deleted after a failed submit ({}); it ends at its deadline"
                + " and Kubernetes removes it and what it owns after its TTL", job.getMetadata().getName(),
                e.getMessage());
        }
    }

    private static void validate(JobSpec spec) throws DriverException {
        List<String> problems = new ArrayList<>();
        if (spec.name() == null || !DNS_LABEL.matcher(spec.name()).matches()) {
            problems.add("job name must be a DNS-1123 label");
        }
        List<ContainerSpec> containers = new ArrayList<>(spec.initContainers());
        containers.add(spec.main());
        for (ContainerSpec c : containers) {
            if (c == null || c.name() == null || !DNS_LABEL.matcher(c.name()).matches()) {
                problems.add("container names must be DNS-1123 labels");
            } else if (c.image() == null || c.image().isBlank()) {
                problems.add("container " + c.name() + " has no image");
            }
        }
        problems.addAll(secretsOutsideFiles(spec, containers));
        for (String key : spec.taskFiles().keySet()) {
            if (!FILE_KEY.matcher(key).matches()) {
                problems.add("task file names must match [-._a-zA-Z0-9]+");
            }
        }
        for (String key : spec.secretFiles().keySet()) {
            if (!FILE_KEY.matcher(key).matches()) {
                problems.add("secret file names must match [-._a-zA-Z0-9]+");
            }
        }
        if (!problems.isEmpty()) {
            throw new DriverException(DriverException.Kind.REJECTED, String.join("; ", problems));
        }
    }

    /**
     * Secrets are files: a secret value in a command or an env value would sit in the Job, readable by anyone who
     * can read the pod spec and, for a task container, by the cloud's code. Names the container, never the value.
     * Values shorter than {@value #MIN_TOKEN_CHARS} characters are not tokens (the git user name {@code atlas} is a
     * secret file too, and is in every {@code atlas report} command).
     */
    static List<String> secretsOutsideFiles(JobSpec spec, List<ContainerSpec> containers) {
        List<String> problems = new ArrayList<>();
        for (ContainerSpec c : containers) {
            if (c == null) {
                continue;
            }
            List<String> visible = new ArrayList<>(c.command() == null ? List.of() : c.command());
            if (c.env() != null) {
                visible.addAll(c.env().values());
            }
            boolean leaks = spec.secretFiles().values().stream().map(dev.atlas.api.Secret::reveal)
                .map(String::strip).filter(v -> v.length() >= MIN_TOKEN_CHARS)
                .anyMatch(v -> visible.stream().anyMatch(text -> text != null && text.contains(v)));
            if (leaks) {
                problems.add("container " + c.name() + " carries a secret in its command or env (secrets are files)");
            }
        }
        return problems;
    }

    @Override
    public Optional<JobStatus> status(String taskId) throws DriverException {
        Optional<Job> job = find(taskId);
        if (job.isEmpty()) {
            return Optional.empty();
        }
        String name = job.get().getMetadata().getName();
        JobStates.Outcome outcome = JobStates.of(job.get());
        String detail = outcome.detail();
        if (outcome.state() == JobStatus.State.FAILED) {
            detail = withPluginLoader("Pod", () -> client.pods().inNamespace(settings.namespace())
                .withLabel("job-name", name).list().getItems())
                .stream().findFirst().map(List::of).flatMap(JobStates::exitDetail)
                .map(exit -> outcome.detail() + "; " + exit).orElse(outcome.detail());
        }
        Map<String, String> labels = job.get().getMetadata().getLabels();
        return Optional.of(new JobStatus(taskId, ref(name), outcome.state(), detail,
            Optional.ofNullable(labels == null ? null : labels.get("atlas.dev/app"))));
    }

    /** The Job of a task: found by its label, confirmed by the exact task id in its annotation. */
    private Optional<Job> find(String taskId) throws DriverException {
        List<Job> found = withPluginLoader("Job", () -> jobs()
            .withLabels(Map.of(JobManifests.MANAGED_BY, "atlas", JobManifests.TASK_ID, LabelValues.of(taskId)))
            .list().getItems());
        return found.stream().filter(j -> j.getMetadata().getAnnotations() != null
            && taskId.equals(j.getMetadata().getAnnotations().get(JobManifests.TASK_ID))).findFirst();
    }

    /**
     * Deletes the Job (its pods go in the background) and, at once, its Secret and ConfigMap: the owner reference
     * would remove them too, but the tokens should not outlive the cancel by a garbage-collector cycle.
     */
    @Override
    public boolean cancel(String taskId) throws DriverException {
        Optional<Job> job = find(taskId);
        if (job.isEmpty()) {
            return false;
        }
        String name = job.get().getMetadata().getName();
        withPluginLoader("Job", () -> jobs().withName(name).withPropagationPolicy(DeletionPropagation.BACKGROUND)
            .delete());
        withPluginLoader("Secret", () -> secrets().withName(JobManifests.secretName(name)).delete());
        withPluginLoader("ConfigMap", () -> configMaps().withName(JobManifests.configMapName(name)).delete());
        LOG.info("kubernetes job {} deleted (task cancelled)", ref(name));
        return true;
    }

    /** Lists at most one Job of the namespace (allowed by the driver's Role), within a few seconds. */
    @Override
    public DriverHealth health() {
        if (client == null) {
            return DriverHealth.down("not open");
        }
        CompletableFuture<Object> probe = CompletableFuture.supplyAsync(() -> {
            try {
                return withPluginLoader("Job", () -> jobs().list(new ListOptionsBuilder().withLimit(1L).build()));
            } catch (DriverException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, healthChecks);
        try {
            probe.get(HEALTH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return DriverHealth.up("API server answers; namespace " + settings.namespace());
        } catch (TimeoutException e) {
            probe.cancel(true);
            return DriverHealth.down("API server did not answer within " + HEALTH_TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            return DriverHealth.down(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DriverHealth.down("interrupted");
        }
    }

    @Override
    public void close() {
        if (healthChecks != null) {
            healthChecks.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
    }

    private NonNamespaceOperation<Job, JobList, ScalableResource<Job>> jobs() {
        return client.batch().v1().jobs().inNamespace(settings.namespace());
    }

    private NonNamespaceOperation<Secret, SecretList, Resource<Secret>> secrets() {
        return client.secrets().inNamespace(settings.namespace());
    }

    private NonNamespaceOperation<ConfigMap, ConfigMapList, Resource<ConfigMap>> configMaps() {
        return client.configMaps().inNamespace(settings.namespace());
    }

    private <T> T withPluginLoader(String what, KubeCall<T> call) throws DriverException {
        return withPluginLoader(what, call, true);
    }

    /**
     * Runs a fabric8 call with this plugin's class loader as the thread's context loader (fabric8 looks up its
     * HTTP client and serialisation modules through it) and maps its failures.
     */
    private <T> T withPluginLoader(String what, KubeCall<T> call, boolean keepCause) throws DriverException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(KubernetesDriver.class.getClassLoader());
        try {
            return call.run();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.map(what, e, keepCause);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** A call into fabric8. */
    @FunctionalInterface
    private interface KubeCall<T> {
        T run();
    }
}
