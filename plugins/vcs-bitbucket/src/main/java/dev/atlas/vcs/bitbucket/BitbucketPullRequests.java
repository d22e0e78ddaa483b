package dev.atlas.vcs.bitbucket;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.plugin.support.PullRequestPaths;
import java.util.List;
import java.util.Map;

/**
 * "Create a pull request" on either flavour, from the repository path's last two segments:
 * <ul>
 *   <li>Cloud: {@code POST /repositories/{workspace}/{slug}/pullrequests} with {@code source.branch.name} and
 *       {@code destination.branch.name}; the answer's {@code /links/html/href} and {@code /id};</li>
 *   <li>Data Center: {@code POST /rest/api/1.0/projects/{PROJECT}/repos/{repo}/pull-requests} (the app's apiUrl is
 *       the server's base URL, as the built-in policy's paths assume) with {@code fromRef.id} and {@code toRef.id}
 *       as full refs; the answer's {@code /links/self/0/href} and {@code /id}.</li>
 * </ul>
 */
final class BitbucketPullRequests {
    private BitbucketPullRequests() {
    }

    static PullRequestCall call(BitbucketFlavor flavor, PullRequestRequest request) throws CredentialException {
        List<String> segments;
        try {
            segments = PullRequestPaths.segments(request.repositoryPath());
        } catch (IllegalArgumentException e) {
            throw new CredentialException(e.getMessage(), false);
        }
        ObjectNode body = PullRequestPaths.object().put("title", request.title()).put("description", request.body());
        if (flavor == BitbucketFlavor.CLOUD) {
            body.putObject("source").putObject("branch").put("name", request.branch());
            body.putObject("destination").putObject("branch").put("name", request.base());
            return new PullRequestCall("POST", "/repositories/" + PullRequestPaths.lastTwo(segments) + "/pullrequests",
                body.toString(), Map.of(), "/links/html/href", "/id");
        }
        body.putObject("fromRef").put("id", "refs/heads/" + request.branch());
        body.putObject("toRef").put("id", "refs/heads/" + request.base());
        String project = segments.get(segments.size() - 2);
        String repository = segments.get(segments.size() - 1);
        return new PullRequestCall("POST", "/rest/api/1.0/projects/" + project + "/repos/" + repository
            + "/pull-requests", body.toString(), Map.of(), "/links/self/0/href", "/id");
    }
}
