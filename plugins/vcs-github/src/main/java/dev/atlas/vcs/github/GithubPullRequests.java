package dev.atlas.vcs.github;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.plugin.support.PullRequestPaths;
import java.util.Map;

/**
 * GitHub's "create a pull request" ({@code POST /repos/{owner}/{repo}/pulls}, REST API "Pulls"), with the task's
 * installation as {@code X-Installation-ID} so the proxy injects that installation's token.
 */
final class GithubPullRequests {
    private GithubPullRequests() {
    }

    static PullRequestCall call(PullRequestRequest request) throws CredentialException {
        String repository;
        try {
            repository = PullRequestPaths.lastTwo(PullRequestPaths.segments(request.repositoryPath()));
        } catch (IllegalArgumentException e) {
            throw new CredentialException(e.getMessage(), false);
        }
        ObjectNode body = PullRequestPaths.object().put("title", request.title()).put("body", request.body())
            .put("head", request.branch()).put("base", request.base());
        Map<String, String> headers = request.installationId().map(id -> Map.of("X-Installation-ID", id))
            .orElse(Map.of());
        return new PullRequestCall("POST", "/repos/" + repository + "/pulls", body.toString(), headers, "/html_url",
            "/number");
    }
}
