package dev.atlas.patcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a patch run reports to {@code resultUrl} and prints to stdout. Absent values are left out of the JSON.
 *
 * @param headMoved        true when the base ref no longer pointed at {@code expectedSha} but the patch applied
 * @param alreadyCommitted true when an earlier run of the same task had already pushed the change
 */
public record PatchResult(
    Status status,
    String detail,
    String commitSha,
    String branch,
    Boolean headMoved,
    String expectedSha,
    String actualSha,
    boolean alreadyCommitted,
    String pullRequestUrl,
    Long pullRequestNumber,
    String pullRequestError) {

    /** A result with only a status and detail. */
    public static PatchResult of(Status status, String detail) {
        return new PatchResult(status, detail, null, null, null, null, null, false, null, null, null);
    }

    PatchResult withStatus(Status newStatus, String newDetail) {
        return new PatchResult(newStatus, newDetail, commitSha, branch, headMoved, expectedSha, actualSha, alreadyCommitted,
            pullRequestUrl, pullRequestNumber, pullRequestError);
    }

    PatchResult withHead(String expected, String actual) {
        return new PatchResult(status, detail, commitSha, branch, !expected.equals(actual), expected, actual, alreadyCommitted,
            pullRequestUrl, pullRequestNumber, pullRequestError);
    }

    PatchResult withCommit(String sha, String branchName, boolean already) {
        return new PatchResult(status, detail, sha, branchName, headMoved, expectedSha, actualSha, already,
            pullRequestUrl, pullRequestNumber, pullRequestError);
    }

    PatchResult withPullRequest(String url, Long number) {
        return new PatchResult(Status.PR_OPENED, detail, commitSha, branch, headMoved, expectedSha, actualSha, alreadyCommitted,
            url, number, null);
    }

    PatchResult withPullRequestError(String error) {
        return new PatchResult(status, detail, commitSha, branch, headMoved, expectedSha, actualSha, alreadyCommitted,
            pullRequestUrl, pullRequestNumber, error);
    }

    /** Returns a copy whose free-text fields went through the redactor. */
    PatchResult redacted(Redactor redactor) {
        return new PatchResult(status, redactor.redact(detail), commitSha, branch, headMoved, expectedSha, actualSha,
            alreadyCommitted, pullRequestUrl, pullRequestNumber, redactor.redact(pullRequestError));
    }

    /** The JSON body: {@code taskId} may be null when the task could not be read at all. */
    public ObjectNode toJson(ObjectMapper mapper, String taskId) {
        ObjectNode json = mapper.createObjectNode();
        putIfPresent(json, "taskId", taskId);
        json.put("type", "patch");
        json.put("status", status.wireName());
        putIfPresent(json, "detail", detail);
        putIfPresent(json, "commitSha", commitSha);
        putIfPresent(json, "branch", branch);
        if (headMoved != null) {
            json.put("headMoved", headMoved);
        }
        putIfPresent(json, "expectedSha", expectedSha);
        putIfPresent(json, "actualSha", actualSha);
        if (alreadyCommitted) {
            json.put("alreadyCommitted", true);
        }
        putIfPresent(json, "pullRequestUrl", pullRequestUrl);
        if (pullRequestNumber != null) {
            json.put("pullRequestNumber", pullRequestNumber);
        }
        putIfPresent(json, "pullRequestError", pullRequestError);
        return json;
    }

    private static void putIfPresent(ObjectNode json, String name, String value) {
        if (value != null) {
            json.put(name, value);
        }
    }
}
