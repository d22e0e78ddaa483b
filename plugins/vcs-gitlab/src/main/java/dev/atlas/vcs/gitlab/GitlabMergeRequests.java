package dev.atlas.vcs.gitlab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.plugin.support.PullRequestPaths;
import java.util.Map;

/**
 * GitLab's "create a merge request" ({@code POST /projects/{id}/merge_requests}, REST API "Merge requests"). The
 * project is addressed by its numeric id ({@link GitlabProjectIds}): the URL-encoded path form holds an encoded
 * {@code /}, which the proxy's path normalisation refuses.
 */
final class GitlabMergeRequests {
    private GitlabMergeRequests() {
    }

    /** @param projectId the numeric project id GitLab gave for the request's repository */
    static PullRequestCall call(PullRequestRequest request, String projectId) {
        ObjectNode body = PullRequestPaths.object().put("source_branch", request.branch())
            .put("target_branch", request.base()).put("title", request.title()).put("description", request.body());
        return new PullRequestCall("POST", "/projects/" + projectId + "/merge_requests", body.toString(), Map.of(),
            "/web_url", "/iid");
    }
}
