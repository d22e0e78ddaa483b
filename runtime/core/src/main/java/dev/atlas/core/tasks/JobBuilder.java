package dev.atlas.core.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.Secret;
import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.Resources;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.CloneCredential;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.RepositoryIds;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.JsonResponses;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a {@link Task} into the driver-neutral {@link JobSpec} (SPEC §6 job contract). One job per task:
 * <ul>
 *   <li>init container {@code clone} (image {@code tasks.cloneImage}, unless {@code tasks.cloneStep: false}): fetches
 *       {@code repository.sha} into {@code $ATLAS_WORKSPACE/repo}. The credential reaches git through a credential
 *       helper that reads {@code $ATLAS_SECRETS_DIR/clone-username} and {@code clone-token} when git asks, so the
 *       token is in no argument, no environment value and no git config file; redirects are not followed, so git
 *       cannot be steered to send it to another host;</li>
 *   <li>analysis: the analyzers in the order given, all but the last as further init containers and the last as the
 *       main container. They share the workspace and the one clone. An analyzer that exits non-zero ends the job
 *       (later analyzers do not run), so analyzers report findings through the result URL and exit 0;</li>
 *   <li>autofix, transformer: the autofixer or transformer as the main container;</li>
 *   <li>patch: the Atlas image {@code tasks.jobImage} running {@code atlas patch} on the contract folders, with the
 *       diff as {@code patch.diff}; it clones and pushes itself, so there is no clone container.</li>
 * </ul>
 * Files: {@code task.json} (always; for a patch that opens a pull request on a VCS addressing repositories by id, with
 * {@code repositoryId} looked up by Atlas), {@code patch.diff} (patch); secrets {@code clone-token},
 * {@code clone-username}, {@code result-token}, and {@code proxy-token} for patches that open a pull request (with the
 * same {@code repo_id}).
 */
public final class JobBuilder {
    static final Resources CLONE_RESOURCES = new Resources("250m", "256Mi");
    /** The patcher is a JVM: it needs more than a git process. */
    static final Resources PATCH_RESOURCES = new Resources("500m", "512Mi");
    /** Reads the credential files only when git asks for credentials ("get"), never storing them. */
    static final String CLONE_SCRIPT = String.join("\n",
        "set -eu",
        "url=\"$1\"; ref=\"$2\"; sha=\"$3\"",
        "helper='!f() { test \"$1\" = get || exit 0; printf \"username=%s\\npassword=%s\\n\" "
            + "\"$(cat \"$ATLAS_SECRETS_DIR/clone-username\")\" \"$(cat \"$ATLAS_SECRETS_DIR/clone-token\")\"; }; f'",
        "g() { git -c credential.helper= -c credential.helper=\"$helper\" -c http.followRedirects=false "
            + "-c core.hooksPath=/dev/null \"$@\"; }",
        "git init -q \"$ATLAS_WORKSPACE/repo\"",
        "cd \"$ATLAS_WORKSPACE/repo\"",
        "g fetch -q --depth 1 -- \"$url\" \"$sha\" || g fetch -q -- \"$url\" \"$ref\"",
        "git -c core.hooksPath=/dev/null checkout -q --detach \"$sha\"");
    /** The {@code task.json} field holding the repository's VCS id (GitLab project id) for the pull-request call. */
    public static final String REPOSITORY_ID = "repositoryId";
    static final String PATCH_SCRIPT =
        "exec atlas patch --task-dir \"$ATLAS_TASK_DIR\" --secrets-dir \"$ATLAS_SECRETS_DIR\"";

    private final String cloneImage;
    private final String jobImage;
    private final boolean cloneStep;
    private final TaskTokens tokens;

    public JobBuilder(String cloneImage, String jobImage, boolean cloneStep, TaskTokens tokens) {
        this.cloneImage = cloneImage;
        this.jobImage = jobImage;
        this.cloneStep = cloneStep;
        this.tokens = tokens;
    }

    /**
     * The job of {@code task} (not a cancel). Asks the app's VCS plugin for the clone credential, which may block.
     *
     * @throws CredentialException when the plugin cannot give one
     */
    public JobSpec build(Task task, VcsProvider provider) throws CredentialException {
        Task.Repository repository = task.repository().orElseThrow();
        List<ContainerSpec> init = new ArrayList<>();
        ContainerSpec main;
        Map<String, String> env = Map.of("ATLAS_TASK_ID", task.taskId(), "ATLAS_TASK_TYPE", task.type(),
            "GIT_TERMINAL_PROMPT", "0");
        if (cloneStep && !(task.body() instanceof Task.Patch)) {
            init.add(new ContainerSpec("clone", cloneImage, List.of("sh", "-c", CLONE_SCRIPT, "clone",
                repository.cloneUrl().toString(), repository.ref(), repository.sha()), env, CLONE_RESOURCES));
        }
        Optional<String> repositoryId = pullRequestRepositoryId(task, provider, repository);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("task.json", JsonResponses.toBytes(jobDocument(task, repositoryId)));
        Task.Body body = task.body();
        if (body instanceof Task.Analysis analysis) {
            Set<String> names = new HashSet<>(Set.of("clone"));
            List<ContainerSpec> steps = new ArrayList<>();
            for (Task.Step analyzer : analysis.analyzers()) {
                steps.add(container(analyzer, names, env));
            }
            init.addAll(steps.subList(0, steps.size() - 1));
            main = steps.get(steps.size() - 1);
        } else if (body instanceof Task.Autofix autofix) {
            main = container(autofix.autofixer(), new HashSet<>(Set.of("clone")), env);
        } else if (body instanceof Task.Transformer transformer) {
            main = container(transformer.transformer(), new HashSet<>(Set.of("clone")), env);
        } else if (body instanceof Task.Patch patch) {
            files.put("patch.diff", patch.diff().getBytes(StandardCharsets.UTF_8));
            main = new ContainerSpec("patch", jobImage, List.of("sh", "-c", PATCH_SCRIPT), env, PATCH_RESOURCES);
        } else {
            throw new IllegalArgumentException("a " + task.type() + " task has no job");
        }
        return spec(task, init, main, files, provider, repository, repositoryId);
    }

    /**
     * The repository's id for a patch that opens a pull request on a VCS whose API addresses repositories by id
     * (GitLab's numeric project id), looked up by Atlas with the app's credentials; the job never asks the VCS.
     */
    private static Optional<String> pullRequestRepositoryId(Task task, VcsProvider provider, Task.Repository repository)
        throws CredentialException {
        if (task.body() instanceof Task.Patch patch && patch.pullRequest().isPresent()
            && provider instanceof RepositoryIds ids) {
            return Optional.of(ids.repositoryId(repository.path()));
        }
        return Optional.empty();
    }

    /** {@code task.json}: the task's document, with {@code repositoryId} set by Atlas when it looked one up. */
    private static ObjectNode jobDocument(Task task, Optional<String> repositoryId) {
        ObjectNode document = task.document().deepCopy();
        document.remove(REPOSITORY_ID);
        repositoryId.ifPresent(id -> document.put(REPOSITORY_ID, id));
        return document;
    }

    private JobSpec spec(Task task, List<ContainerSpec> init, ContainerSpec main, Map<String, byte[]> files,
        VcsProvider provider, Task.Repository repository, Optional<String> repositoryId) throws CredentialException {
        if (!(provider instanceof ApiCredentials credentials)) {
            throw new CredentialException("the app's VCS plugin offers no clone credentials", false);
        }
        CloneCredential clone = credentials.cloneCredential(new ApiTarget(task.installationId(),
            Optional.of(repository.owner()), Optional.of(repository.name())));
        Map<String, Secret> secrets = new LinkedHashMap<>();
        secrets.put("clone-token", clone.password());
        secrets.put("clone-username", Secret.of(clone.username()));
        secrets.put("result-token", Secret.of(tokens.resultToken(task)));
        if (task.body() instanceof Task.Patch patch && patch.pullRequest().isPresent()) {
            secrets.put("proxy-token", Secret.of(tokens.proxyToken(task, provider.app().vcs(), repositoryId)));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/managed-by", "atlas");
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
