package dev.atlas.tasks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.api.vcs.PullRequests;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.JsonResponses;
import dev.atlas.core.tokens.Task;
import java.util.Optional;

/**
 * The pull-request call of a patch task with {@code pullRequest}: asked of the app's plugin ({@link PullRequests})
 * when Atlas builds the job, written into {@code task.json} as {@code pullRequestCall} and into the job's proxy token
 * (method and path). The host knows no VCS's paths or bodies; a plugin without the capability cannot serve such a
 * task, which is refused before any job.
 */
final class PullRequestCalls {
    /** The {@code task.json} field holding the call. */
    static final String FIELD = "pullRequestCall";

    private PullRequestCalls() {
    }

    /**
     * Refuses (400, naming {@code pullRequest}) a patch task that opens a pull request for an app whose plugin
     * cannot say how.
     */
    static void requireCapability(Task task, VcsProvider provider) {
        if (wantsPullRequest(task) && !(provider instanceof PullRequests)) {
            throw AtlasException.badRequest("pullRequest: the VCS of app " + task.appId()
                + " cannot open pull requests");
        }
    }

    /** The call, for a patch task with {@code pullRequest}; empty for every other task. */
    static Optional<PullRequestCall> of(Task task, VcsProvider provider) throws CredentialException {
        if (!(task.body() instanceof Task.Patch patch) || patch.pullRequest().isEmpty()) {
            return Optional.empty();
        }
        requireCapability(task, provider);
        Task.PullRequest pr = patch.pullRequest().get();
        Task.Repository repository = task.repository().orElseThrow();
        PullRequestRequest request = new PullRequestRequest(repository.path(), task.installationId(),
            patch.commit().branch(), pr.base().orElse(shortName(repository.ref())), pr.title(), pr.body());
        return Optional.of(((PullRequests) provider).pullRequestCall(request));
    }

    /**
     * The call as {@code task.json} carries it: {@code method}, {@code path}, {@code body} (a JSON object),
     * {@code headers}, {@code urlPointer}, {@code numberPointer}.
     *
     * @throws CredentialException when the plugin's body is not a JSON object (nothing is sent then)
     */
    static ObjectNode toJson(PullRequestCall call) throws CredentialException {
        JsonNode body;
        try {
            body = JsonResponses.MAPPER.readTree(call.jsonBody());
        } catch (JsonProcessingException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            throw new CredentialException("the app's plugin built a pull request body that is not a JSON object",
                false);
        }
        ObjectNode json = JsonResponses.MAPPER.createObjectNode();
        json.put("method", call.method());
        json.put("path", call.path());
        json.set("body", body);
        ObjectNode headers = json.putObject("headers");
        call.headers().forEach(headers::put);
        json.put("urlPointer", call.urlPointer());
        json.put("numberPointer", call.numberPointer());
        return json;
    }

    private static boolean wantsPullRequest(Task task) {
        return task.body() instanceof Task.Patch patch && patch.pullRequest().isPresent();
    }

    /** {@code refs/heads/main} → {@code main}: the base a pull request targets when the task names none. */
    private static String shortName(String ref) {
        for (String prefix : new String[] {"refs/heads/", "refs/tags/", "refs/remotes/"}) {
            if (ref.startsWith(prefix)) {
                return ref.substring(prefix.length());
            }
        }
        return ref;
    }
}
