package dev.atlas.patcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;

/**
 * What {@code atlas report} reads from {@code task.json}: the task id and type; for a transformer also the repository
 * ({@code cloneUrl} is the task's git endpoint on Atlas), {@code commit} and {@code push.allowPaths}.
 *
 * @param commit the transformer's commit; null for other types
 * @param allowPaths {@code push.allowPaths}: CI-configuration paths the admin lets pushes touch
 */
record ReportTask(String taskId, String type, PatchTask.RepositoryRef repository, PatchTask.CommitSpec commit,
    List<String> allowPaths) {

    /** The task types whose job ends with {@code atlas report}. */
    static final Set<String> TYPES = Set.of("analysis", "autofix", "transformer");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");

    boolean pushes() {
        return commit != null;
    }

    /** Reads the task; the detail of a failure starts with the field's path. */
    static ReportTask parse(JsonNode root) throws PatchFailure {
        if (root == null || !root.isObject()) {
            throw PatchFailure.invalidField("task.json", "must be a JSON object");
        }
        String taskId = text(root, "taskId");
        if (!PatchTask.isValidTaskId(taskId)) {
            throw PatchFailure.invalidField("taskId", "not a valid task id");
        }
        String type = text(root, "type");
        if (!TYPES.contains(type)) {
            throw PatchFailure.invalidField("type", "must be one of " + TYPES.stream().sorted().toList());
        }
        if (!type.equals("transformer")) {
            return new ReportTask(taskId, type, null, null, List.of());
        }
        JsonNode repo = object(root, "repository");
        String ref = text(repo, "repository.ref");
        if (!Repository.isValidRefName(ref.startsWith("refs/") ? ref : "refs/heads/" + ref)) {
            throw PatchFailure.invalidField("repository.ref", "not a valid ref name");
        }
        String sha = text(repo, "repository.sha").toLowerCase(Locale.ROOT);
        if (!SHA.matcher(sha).matches()) {
            throw PatchFailure.invalidField("repository.sha", "must be a 40-character hex commit id");
        }
        String cloneUrl = PatchTask.httpUrl(text(repo, "repository.cloneUrl"), "repository.cloneUrl").toString();
        JsonNode commit = object(root, "commit");
        String branch = text(commit, "commit.branch");
        branch = branch.startsWith("refs/heads/") ? branch.substring("refs/heads/".length()) : branch;
        if (branch.startsWith("refs/") || !Repository.isValidRefName("refs/heads/" + branch)) {
            throw PatchFailure.invalidField("commit.branch", "not a valid branch name");
        }
        JsonNode author = object(commit, "commit.author");
        String name = text(author, "commit.author.name");
        String email = text(author, "commit.author.email");
        if ((name + email).matches("(?s).*[<>\n].*")) {
            throw PatchFailure.invalidField("commit.author", "name and email must not contain '<', '>' or newlines");
        }
        return new ReportTask(taskId, type, new PatchTask.RepositoryRef(cloneUrl, ref, sha),
            new PatchTask.CommitSpec(branch, text(commit, "commit.message"), name, email), allowPaths(root));
    }

    private static List<String> allowPaths(JsonNode root) throws PatchFailure {
        JsonNode paths = root.path("push").path("allowPaths");
        if (paths.isMissingNode() || paths.isNull()) {
            return List.of();
        }
        if (!paths.isArray()) {
            throw PatchFailure.invalidField("push.allowPaths", "must be an array of paths");
        }
        List<String> allowed = new ArrayList<>();
        for (JsonNode path : paths) {
            if (!path.isTextual()) {
                throw PatchFailure.invalidField("push.allowPaths", "must be an array of paths");
            }
            allowed.add(path.asText());
        }
        return List.copyOf(allowed);
    }

    private static JsonNode object(JsonNode parent, String path) throws PatchFailure {
        JsonNode node = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (node == null || !node.isObject()) {
            throw PatchFailure.invalidField(path, "missing or not an object");
        }
        return node;
    }

    /** {@code path} is the field's dotted path; its last segment is the key in {@code parent}. */
    private static String text(JsonNode parent, String path) throws PatchFailure {
        JsonNode node = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw PatchFailure.invalidField(path, "missing or empty");
        }
        return node.asText();
    }
}
