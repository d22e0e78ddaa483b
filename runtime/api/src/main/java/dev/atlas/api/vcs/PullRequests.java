package dev.atlas.api.vcs;

/**
 * Capability of a {@link VcsProvider}: how its VCS opens a pull (merge) request. Atlas asks it itself when it builds
 * the job of a patch task with {@code pullRequest} (SPEC §6), and hands the call it gets to the job (in
 * {@code task.json}) and to the job's proxy token (its method and path are the one call that token allows). The job
 * sends the call through Atlas's VCS proxy and never asks the VCS anything else; the host knows nothing of the
 * VCS's paths or bodies. A provider without this capability cannot serve patch tasks that open a pull request: Atlas
 * refuses them (400).
 */
public interface PullRequests {

    /**
     * The call that opens a pull request for {@code request}. Called once per patch task, on the thread that accepts
     * the task. May block on asking the VCS about the repository with the app's credentials (GitLab: its numeric
     * project id), within the host's HTTP timeouts; must not open the pull request itself.
     *
     * @throws CredentialException when the VCS cannot be asked ({@link CredentialException#unreachable()}), refuses,
     *     or does not know the repository; the task is refused then and no job starts
     */
    PullRequestCall pullRequestCall(PullRequestRequest request) throws CredentialException;
}
