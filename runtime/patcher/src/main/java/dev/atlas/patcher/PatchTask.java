package dev.atlas.patcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;

/**
 * The patch task as read from {@code task.json} (the job contract of SPEC §6). Every field is validated here, so
 * the rest of the run can trust it; a bad field ends the run with status {@code error} and a detail naming it.
 *
 * @param patch the diff text from the {@code patch} field, or null when {@code patch.diff} supplies it
 * @param pullRequestCall the call that opens the pull request, built by the app's VCS plugin; null without
 *     {@code pullRequest}. {@code vcs} in task.json is information only: the patcher knows no VCS.
 */
public record PatchTask(
    String taskId,
    String appId,
    String installationId,
    RepositoryRef repository,
    URI resultUrl,
    String patch,
    CommitSpec commit,
    PullRequestSpec pullRequest,
    URI proxyUrl,
    PullRequestCall pullRequestCall,
    List<String> allowPaths) {

    /**
     * {@code repository}: where to clone from, which ref, and the commit the patch was made for.
     *
     * @param path {@code repository.path}, the repository as the VCS's API names it ({@code owner/repo}); Atlas sets it
     *     because the clone URL a job sees is Atlas's git endpoint; null in a task.json without it (the clone URL's
     *     path is used then)
     */
    public record RepositoryRef(String cloneUrl, String ref, String sha, String path) {
        public RepositoryRef(String cloneUrl, String ref, String sha) {
            this(cloneUrl, ref, sha, null);
        }
    }

    /** {@code commit}: destination branch (short name), message and author (also used as committer). */
    public record CommitSpec(String branch, String message, String authorName, String authorEmail) {
    }

    /** {@code pullRequest}: title, body (may be empty) and base branch (defaults to the repository ref). */
    public record PullRequestSpec(String title, String body, String base) {
    }

    // Task ids travel in an HTTP header and in a commit trailer: keep them to a conservative character set.
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");

    /** Reads and validates the task; {@code patchFilePresent} says whether {@code patch.diff} supplies the diff. */
    public static PatchTask parse(JsonNode root, boolean patchFilePresent) throws PatchFailure {
        if (root == null || !root.isObject()) {
            throw PatchFailure.invalidField("task.json", "must be a JSON object");
        }
        String taskId = text(root, "taskId", true);
        if (!isValidTaskId(taskId)) {
            throw PatchFailure.invalidField("taskId", "must match " + TASK_ID.pattern());
        }
        String type = text(root, "type", true);
        if (!"patch".equals(type)) {
            throw PatchFailure.invalidField("type", "must be \"patch\"");
        }
        String appId = text(root, "appId", true);
        JsonNode installation = root.get("installationId");
        String installationId = installation == null || installation.isNull() ? null : installation.asText();

        RepositoryRef repository = repository(object(root, "repository", true));
        URI resultUrl = httpUrl(text(root, "resultUrl", true), "resultUrl");

        String patch = text(root, "patch", false);
        if (patch == null && !patchFilePresent) {
            throw PatchFailure.invalidField("patch", "missing (neither the field nor patch.diff is present)");
        }
        CommitSpec commit = commit(object(root, "commit", true));

        PullRequestSpec pullRequest = null;
        URI proxyUrl = null;
        PullRequestCall call = null;
        JsonNode pr = object(root, "pullRequest", false);
        if (pr != null) {
            String base = optionalText(pr, "pullRequest.base");
            pullRequest = new PullRequestSpec(
                requiredText(pr, "pullRequest.title"),
                optionalText(pr, "pullRequest.body") == null ? "" : optionalText(pr, "pullRequest.body"),
                base == null ? Repository.shortenRefName(repository.ref()) : base);
            proxyUrl = httpUrl(text(root, "proxyUrl", true), "proxyUrl");
            call = PullRequestCall.parse(root.get(PullRequestCall.FIELD));
        }
        return new PatchTask(taskId, appId, installationId, repository, resultUrl, patch, commit, pullRequest, proxyUrl,
            call, allowPaths(root));
    }

    /** {@code push.allowPaths}: CI-configuration paths the admin lets pushes touch ({@link CiConfigPaths}). */
    private static List<String> allowPaths(JsonNode root) throws PatchFailure {
        JsonNode paths = root.path("push").path("allowPaths");
        if (paths.isMissingNode() || paths.isNull()) {
            return List.of();
        }
        if (!paths.isArray()) {
            throw PatchFailure.invalidField("push.allowPaths", "must be an array of paths");
        }
        List<String> allowed = new java.util.ArrayList<>();
        for (JsonNode path : paths) {
            if (!path.isTextual()) {
                throw PatchFailure.invalidField("push.allowPaths", "must be an array of paths");
            }
            allowed.add(path.asText());
        }
        return List.copyOf(allowed);
    }

    private static RepositoryRef repository(JsonNode node) throws PatchFailure {
        String cloneUrl = requiredText(node, "repository.cloneUrl");
        checkCloneUrl(cloneUrl);
        String ref = requiredText(node, "repository.ref");
        String fullRef = ref.startsWith("refs/") ? ref : "refs/heads/" + ref;
        if (!Repository.isValidRefName(fullRef)) {
            throw PatchFailure.invalidField("repository.ref", "not a valid ref name");
        }
        String sha = requiredText(node, "repository.sha").toLowerCase(Locale.ROOT);
        if (!SHA.matcher(sha).matches()) {
            throw PatchFailure.invalidField("repository.sha", "must be a 40-character hex commit id");
        }
        return new RepositoryRef(cloneUrl, ref, sha, optionalText(node, "repository.path"));
    }

    private static CommitSpec commit(JsonNode node) throws PatchFailure {
        String branch = requiredText(node, "commit.branch");
        if (branch.startsWith("refs/heads/")) {
            branch = branch.substring("refs/heads/".length());
        }
        if (branch.startsWith("refs/") || !Repository.isValidRefName("refs/heads/" + branch)) {
            throw PatchFailure.invalidField("commit.branch", "not a valid branch name");
        }
        String message = requiredText(node, "commit.message");
        JsonNode author = node.get("author");
        if (author == null || !author.isObject()) {
            throw PatchFailure.invalidField("commit.author", "missing or not an object");
        }
        String name = requiredText(author, "commit.author.name");
        String email = requiredText(author, "commit.author.email");
        if (name.contains("<") || name.contains(">") || email.contains("<") || email.contains(">")
            || name.contains("\n") || email.contains("\n")) {
            // These would corrupt the commit header's ident line.
            throw PatchFailure.invalidField("commit.author", "name and email must not contain '<', '>' or newlines");
        }
        return new CommitSpec(branch, message, name, email);
    }

    private static void checkCloneUrl(String cloneUrl) throws PatchFailure {
        if (!cloneUrl.contains("://")) {
            return; // a local path: used by tests and by on-host jobs; nothing to authenticate
        }
        URI uri;
        try {
            uri = new URI(cloneUrl);
        } catch (URISyntaxException e) {
            throw PatchFailure.invalidField("repository.cloneUrl", "not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") && !scheme.equals("file")) {
            throw PatchFailure.invalidField("repository.cloneUrl", "scheme must be https, http or file");
        }
        if (uri.getRawUserInfo() != null) {
            // Credentials come from the secrets dir only; a URL carrying them would end up in logs and errors.
            throw PatchFailure.invalidField("repository.cloneUrl", "must not contain credentials");
        }
    }

    /** Whether a task id is safe to use as an HTTP header value and a commit trailer. */
    static boolean isValidTaskId(String taskId) {
        return TASK_ID.matcher(taskId).matches();
    }

    static URI httpUrl(String value, String field) throws PatchFailure {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
                throw PatchFailure.invalidField(field, "must be an absolute http(s) URL");
            }
            if (uri.getRawUserInfo() != null) {
                throw PatchFailure.invalidField(field, "must not contain credentials");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw PatchFailure.invalidField(field, "not a valid URL");
        }
    }

    private static JsonNode object(JsonNode parent, String name, boolean required) throws PatchFailure {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                throw PatchFailure.invalidField(name, "missing");
            }
            return null;
        }
        if (!node.isObject()) {
            throw PatchFailure.invalidField(name, "must be an object");
        }
        return node;
    }

    private static String text(JsonNode parent, String name, boolean required) throws PatchFailure {
        return required ? requiredText(parent, name) : optionalText(parent, name);
    }

    /** {@code path} is the field's full dotted path; its last segment is the key looked up in {@code parent}. */
    private static String requiredText(JsonNode parent, String path) throws PatchFailure {
        String value = optionalText(parent, path);
        if (value == null || value.isBlank()) {
            throw PatchFailure.invalidField(path, "missing or empty");
        }
        return value;
    }

    private static String optionalText(JsonNode parent, String path) throws PatchFailure {
        JsonNode node = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw PatchFailure.invalidField(path, "must be a string");
        }
        return node.asText();
    }
}
