package dev.atlas.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.Resources;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.JsonResponses;
import dev.atlas.core.tokens.Task;
import dev.atlas.core.tokens.TaskTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a {@link Task} into the driver-neutral {@link JobSpec} (SPEC §6: jobs hold no VCS secret and talk only to
 * Atlas). One job per task, in three parts:
 * <ul>
 *   <li>{@code clone} ({@link ContainerSpec.Role#ATLAS}, image {@code tasks.cloneImage}, unless
 *       {@code tasks.cloneStep: false}): fetches {@code repository.sha} into {@code $ATLAS_WORKSPACE/repo} from
 *       <em>Atlas's git endpoint</em> ({@code {jobUrl}/jobs/{taskId}/git}). The git token reaches git through a
 *       credential helper that reads {@code $ATLAS_SECRETS_DIR/clone-username} and {@code clone-token} when git
 *       asks, so it is in no argument, no environment value and no git config file; redirects are not followed;</li>
 *   <li>the task's own containers ({@link ContainerSpec.Role#TASK}): the analyzers in the order given, or the
 *       autofixer or transformer. They see {@code task.json}, the workspace and {@code $ATLAS_RESULTS_DIR}, where they
 *       write their result files, and no secret. An analyzer that exits non-zero ends the job;</li>
 *   <li>{@code report} ({@link ContainerSpec.Role#ATLAS}, image {@code tasks.jobImage}, the main container): runs
 *       {@code atlas report}, which pushes a transformer's changes through the git endpoint and posts every result
 *       file to {@code {jobUrl}/jobs/{taskId}/results};</li>
 *   <li>patch tasks are one part: {@code atlas patch} in {@code tasks.jobImage} ({@link ContainerSpec.Role#ATLAS}),
 *       which clones and pushes through the git endpoint and posts its result to Atlas itself.</li>
 * </ul>
 * Files: {@code task.json} (always; {@code repository.cloneUrl} rewritten to the git endpoint, {@code repository.path}
 * added, and for a patch that opens a pull request {@code pullRequestCall}, the call the app's plugin built
 * ({@link PullRequestCalls})), {@code patch.diff} (patch). Secrets (Atlas's own per-task tokens, never a VCS
 * credential): {@code clone-username}, {@code clone-token} (the git token, {@link TaskTokens#gitToken}),
 * {@code result-token}, and {@code proxy-token} for patches that open a pull request (allowing that call's method and
 * path only). Atlas's containers also
 * get {@code ATLAS_JOB_URL} = {@code {jobUrl}/jobs/{taskId}}.
 */
public final class JobBuilder {
    static final Resources CLONE_RESOURCES = new Resources("250m", "256Mi");
    /** The patcher and the reporter are a JVM: they need more than a git process. */
    static final Resources ATLAS_RESOURCES = new Resources("500m", "512Mi");
    /** The user name git sends with the git token (Atlas's git endpoint ignores it). */
    static final String GIT_USER = "atlas";
    /** The task file holding {@code outbound.caBundle} when {@code jobUrl} is https (Atlas's certificate's CA). */
    static final String CA_FILE = "atlas-ca.pem";
    /** Hands that bundle to git ({@code GIT_SSL_CAINFO}) and to {@code atlas} ({@code ATLAS_CA_FILE}) when present. */
    static final String TRUST = "[ ! -f \"${ATLAS_TASK_DIR:-}/" + CA_FILE + "\" ] || export GIT_SSL_CAINFO=\""
        + "$ATLAS_TASK_DIR/" + CA_FILE + "\" ATLAS_CA_FILE=\"$ATLAS_TASK_DIR/" + CA_FILE + "\"";
    /** Reads the credential files only when git asks for credentials ("get"), never storing them. */
    static final String CLONE_SCRIPT = String.join("\n",
        "set -eu",
        TRUST,
        "url=\"$1\"; ref=\"$2\"; sha=\"$3\"",
        "helper='!f() { test \"$1\" = get || exit 0; printf \"username=%s\\npassword=%s\\n\" "
            + "\"$(cat \"$ATLAS_SECRETS_DIR/clone-username\")\" \"$(cat \"$ATLAS_SECRETS_DIR/clone-token\")\"; }; f'",
        "g() { git -c credential.helper= -c credential.helper=\"$helper\" -c http.followRedirects=false "
            + "-c core.hooksPath=/dev/null \"$@\"; }",
        "git init -q \"$ATLAS_WORKSPACE/repo\"",
        "cd \"$ATLAS_WORKSPACE/repo\"",
        "g fetch -q --depth 1 -- \"$url\" \"$sha\" || g fetch -q -- \"$url\" \"$ref\"",
        "git -c core.hooksPath=/dev/null checkout -q --detach \"$sha\"");
    static final String PATCH_SCRIPT = TRUST + "\n"
        + "exec atlas patch --task-dir \"$ATLAS_TASK_DIR\" --secrets-dir \"$ATLAS_SECRETS_DIR\"";
    static final String REPORT_SCRIPT = TRUST + "\n"
        + "exec atlas report --task-dir \"$ATLAS_TASK_DIR\" --secrets-dir \"$ATLAS_SECRETS_DIR\"";

    private final String cloneImage;
    private final String jobImage;
    private final boolean cloneStep;
    private final TaskTokens tokens;
    private final String jobUrl;
    private byte[] jobTrust;

    /** @param jobUrl {@code tasks.jobUrl}: Atlas as jobs reach it */
    public JobBuilder(String cloneImage, String jobImage, boolean cloneStep, TaskTokens tokens, URI jobUrl) {
        this.cloneImage = cloneImage;
        this.jobImage = jobImage;
        this.cloneStep = cloneStep;
        this.tokens = tokens;
        this.jobUrl = jobUrl.toString().replaceAll("/+$", "");
    }

    /**
     * Mounts {@code caBundlePem} ({@code outbound.caBundle}) into every job as {@value #CA_FILE} when {@code jobUrl}
     * is https, so that the clone's git and {@code atlas patch} trust Atlas's certificate. Jobs reach nothing else,
     * so they need no proxy.
     */
    public JobBuilder withJobTrust(java.util.Optional<String> caBundlePem) {
        this.jobTrust = jobUrl.startsWith("https://") ? caBundlePem.map(p -> p.getBytes(StandardCharsets.US_ASCII))
            .orElse(null) : null;
        return this;
    }

    /** {@code {jobUrl}/jobs/{taskId}}: the base of a task's git and results endpoints. */
    public String taskEndpoint(String taskId) {
        return jobUrl + "/jobs/" + taskId;
    }

    /**
     * The job of {@code task} (not a cancel). The VCS credential is used by Atlas's git endpoint only, when the job
     * fetches or pushes; for a patch that opens a pull request the app's plugin builds the call, and may ask the VCS
     * for it (GitLab's project id).
     *
     * @throws CredentialException when the app's plugin cannot build the pull-request call
     * @throws dev.atlas.core.http.AtlasException 400 when the task asks for a pull request the plugin cannot open
     */
    public JobSpec build(Task task, VcsProvider provider) throws CredentialException {
        Task.Repository repository = task.repository().orElseThrow();
        String endpoint = taskEndpoint(task.taskId());
        Map<String, String> env = Map.of("ATLAS_TASK_ID", task.taskId(), "ATLAS_TASK_TYPE", task.type());
        Map<String, String> atlasEnv = Map.of("ATLAS_TASK_ID", task.taskId(), "ATLAS_TASK_TYPE", task.type(),
            "ATLAS_JOB_URL", endpoint, "GIT_TERMINAL_PROMPT", "0");
        List<ContainerSpec> init = new ArrayList<>();
        Optional<PullRequestCall> pullRequestCall = PullRequestCalls.of(task, provider);
        Map<String, byte[]> files = new LinkedHashMap<>();
        ObjectNode document = jobDocument(task, pullRequestCall, endpoint);
        Task.Body body = task.body();
        ContainerSpec main;
        if (body instanceof Task.Patch patch) {
            files.put("patch.diff", patch.diff().getBytes(StandardCharsets.UTF_8));
            main = new ContainerSpec("patch", jobImage, List.of("sh", "-c", PATCH_SCRIPT), atlasEnv, ATLAS_RESOURCES,
                ContainerSpec.Role.ATLAS);
        } else {
            if (cloneStep) {
                init.add(new ContainerSpec("clone", cloneImage, List.of("sh", "-c", CLONE_SCRIPT, "clone",
                    endpoint + "/git", repository.ref(), repository.sha()), atlasEnv, CLONE_RESOURCES,
                    ContainerSpec.Role.ATLAS));
            }
            Set<String> names = new HashSet<>(Set.of("clone", "report"));
            for (Task.Step step : steps(body)) {
                init.add(container(step, names, env));
            }
            main = new ContainerSpec("report", jobImage, List.of("sh", "-c", REPORT_SCRIPT), atlasEnv,
                ATLAS_RESOURCES, ContainerSpec.Role.ATLAS);
        }
        files.put("task.json", JsonResponses.toBytes(document));
        if (jobTrust != null) {
            files.put(CA_FILE, jobTrust.clone());
        }
        return spec(task, init, main, files, provider, pullRequestCall);
    }

    private static List<Task.Step> steps(Task.Body body) {
        if (body instanceof Task.Analysis analysis) {
            return analysis.analyzers();
        } else if (body instanceof Task.Autofix autofix) {
            return List.of(autofix.autofixer());
        } else if (body instanceof Task.Transformer transformer) {
            return List.of(transformer.transformer());
        }
        throw new IllegalArgumentException("a task of this type has no job");
    }

    /**
     * {@code task.json}: the task's document with {@code repository.cloneUrl} pointing at the task's git endpoint,
     * {@code repository.path} (the repository as the VCS's API names it, which the clone URL no longer shows) and
     * {@code pullRequestCall} set by Atlas when the task opens a pull request (whatever the cloud sent under that name
     * is dropped).
     */
    private static ObjectNode jobDocument(Task task, Optional<PullRequestCall> call, String endpoint)
        throws CredentialException {
        ObjectNode document = task.document().deepCopy();
        ObjectNode repository = (ObjectNode) document.get("repository");
        repository.put("cloneUrl", endpoint + "/git");
        repository.put("path", task.repository().orElseThrow().path());
        document.remove(PullRequestCalls.FIELD);
        if (call.isPresent()) {
            document.set(PullRequestCalls.FIELD, PullRequestCalls.toJson(call.get()));
        }
        return document;
    }

    private JobSpec spec(Task task, List<ContainerSpec> init, ContainerSpec main, Map<String, byte[]> files,
        VcsProvider provider, Optional<PullRequestCall> pullRequestCall) {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        secrets.put("clone-username", Secret.of(GIT_USER));
        secrets.put("clone-token", Secret.of(tokens.gitToken(task)));
        secrets.put("result-token", Secret.of(tokens.resultToken(task)));
        pullRequestCall.ifPresent(call ->
            secrets.put("proxy-token", Secret.of(tokens.proxyToken(task, provider.app().vcs(), call))));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/managed-by", "atlas");
        labels.put(JobSpec.JOB_LABEL, "true");
        labels.put("atlas.dev/task-id", task.taskId());
        labels.put("atlas.dev/type", task.type());
        labels.put("atlas.dev/app", task.appId());
        return new JobSpec(task.taskId(), task.type(), task.appId(), jobName(task.taskId()), labels, List.copyOf(init),
            main, files, secrets, task.timeLimit());
    }

    /** The job name of a task: {@code atlas-<task id>} as a DNS-1123 label. */
    public static String jobName(String taskId) {
        return DnsNames.label("atlas-", taskId);
    }

    private static ContainerSpec container(Task.Step step, Set<String> taken, Map<String, String> env) {
        String name = DnsNames.label("", step.name());
        String unique = name;
        for (int i = 2; !taken.add(unique); i++) {
            String suffix = "-" + i;
            unique = (name.length() + suffix.length() > DnsNames.MAX ? name.substring(0, DnsNames.MAX - suffix.length())
                : name) + suffix;
        }
        return new ContainerSpec(unique, step.image(), step.command(), env, new Resources(step.cpu(), step.memory()));
    }
}
