package dev.atlas.api.vcs;

import java.util.Objects;
import java.util.Optional;

/**
 * What a patch task asks for: a pull request from {@code branch} into {@code base} of one repository.
 *
 * @param repositoryPath the clone URL's path without slashes at the ends and without {@code .git}, e.g.
 *     {@code acme/api}, {@code group/sub/project} or Bitbucket Data Center's {@code scm/PRJ/repo}
 * @param installationId the task's installation (GitHub App installation id), if it names one
 * @param branch the branch the patch was pushed to (short name)
 * @param base the branch the pull request targets (short name)
 * @param title the pull request's title
 * @param body the pull request's description (may be empty)
 */
public record PullRequestRequest(String repositoryPath, Optional<String> installationId, String branch, String base,
    String title, String body) {

    public PullRequestRequest {
        Objects.requireNonNull(repositoryPath, "repositoryPath");
        Objects.requireNonNull(installationId, "installationId");
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(body, "body");
    }
}
