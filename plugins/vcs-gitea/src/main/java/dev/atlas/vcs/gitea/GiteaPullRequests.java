package dev.atlas.vcs.gitea;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.plugin.support.PullRequestPaths;
import java.util.Map;

/**
 * Gitea's (and Forgejo's) "create a pull request" ({@code POST /repos/{owner}/{repo}/pulls},
 * {@code CreatePullRequestOption}: {@code head}, {@code base}, {@code title}, {@code body}); the answer is a
 * {@code PullRequest} with {@code html_url} and {@code number}.
 */
final class GiteaPullRequests {
    private GiteaPullRequests() {
    }

    static PullRequestCall call(PullRequestRequest request) throws CredentialException {
        String repository;
        try {
            repository = PullRequestPaths.lastTwo(PullRequestPaths.segments(request.repositoryPath()));
        } catch (IllegalArgumentException e) {
            throw new CredentialException(e.getMessage(), false);
        }
        ObjectNode body = PullRequestPaths.object().put("head", request.branch()).put("base", request.base())
            .put("title", request.title()).put("body", request.body());
        return new PullRequestCall("POST", "/repos/" + repository + "/pulls", body.toString(), Map.of(), "/html_url",
            "/number");
    }
}
