package dev.atlas.patcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.URIish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push half of {@code atlas report} for a transformer: the changes the transformer left in
 * {@code $ATLAS_WORKSPACE/repo} become one commit on top of {@code repository.sha}, on {@code commit.branch}, with
 * {@code commit.author} as author and committer and the trailer {@code Atlas-Task-Id}, pushed without force through
 * the task's git endpoint with the git token (handed to JGit by {@link GitCredentials}; never in a URL, a git config,
 * the output or a result). Atlas's own throw-away repository does the work ({@link RepositoryWorkspace}); the
 * workspace's {@code .git} is never used (see {@link WorkTreeSnapshot}).
 *
 * <p>Refused before anything is pushed ({@code push_refused}): a changed path that {@link PatchGuard#checkPath}
 * refuses ({@code .git} look-alikes, {@code .gitmodules}, ...), CI configuration ({@link CiConfigPaths}) that
 * {@code push.allowPaths} does not list, and new or changed symbolic links and submodules. Re-running the task never
 * adds a second commit: a commit with this task's trailer on the branch, or a branch tip with the same tree, is
 * reported and nothing is pushed.
 */
final class TransformerPush {
    private static final Logger LOG = LoggerFactory.getLogger(TransformerPush.class);

    /** How the push went: {@code status} is one of {@code committed}, {@code no_changes}, {@code push_refused},
     * {@code push_rejected}, {@code error}. */
    record Outcome(String status, String detail, String commitSha, String branch) {
        boolean ok() {
            return status.equals("committed") || status.equals("no_changes");
        }
    }

    private final Path workspaceRoot;
    private final Duration gitTimeout;

    TransformerPush(Path workspaceRoot, Duration gitTimeout) {
        this.workspaceRoot = workspaceRoot;
        this.gitTimeout = gitTimeout;
    }

    /** Commits and pushes the work tree at {@code workTree}; never throws for a git failure. */
    Outcome run(ReportTask task, String cloneUser, String gitToken, Path workTree) {
        String branch = task.commit().branch();
        if (!Files.isDirectory(workTree, LinkOption.NOFOLLOW_LINKS)) {
            return new Outcome("error", "the workspace has no repository at " + workTree.getFileName(), null, branch);
        }
        try {
            URIish uri = RepositoryWorkspace.uri(task.repository().cloneUrl());
            GitCredentials credentials = new GitCredentials(uri, cloneUser, gitToken);
            try (RepositoryWorkspace workspace = RepositoryWorkspace.create(workspaceRoot, uri, credentials, gitTimeout)) {
                return push(task, workspace, workTree);
            }
        } catch (PatchFailure e) {
            return new Outcome(e.status() == Status.PATCH_FAILED ? "push_refused" : "error", e.getMessage(), null, branch);
        } catch (TransportException e) {
            return new Outcome("error", "git transport failed: " + e.getMessage(), null, branch);
        } catch (IOException | RuntimeException e) {
            return new Outcome("error", "unexpected failure: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                null, branch);
        }
    }

    private Outcome push(ReportTask task, RepositoryWorkspace workspace, Path workTree)
        throws IOException, PatchFailure {
        String branch = task.commit().branch();
        String branchRef = "refs/heads/" + branch;
        Map<String, Ref> refs = workspace.advertisedRefs();
        String ref = task.repository().ref();
        String baseRef = ref.startsWith("refs/") ? ref : refs.containsKey("refs/heads/" + ref) ? "refs/heads/" + ref
            : "refs/tags/" + ref;
        List<String> fetch = new ArrayList<>();
        if (refs.containsKey(baseRef)) {
            fetch.add(baseRef);
        }
        Ref remoteBranch = refs.get(branchRef);
        if (remoteBranch != null && !fetch.contains(branchRef)) {
            fetch.add(branchRef);
        }
        if (fetch.isEmpty()) {
            throw PatchFailure.invalidField("repository.ref", "not found on the remote");
        }
        workspace.fetch(fetch);
        ObjectId sha = ObjectId.fromString(task.repository().sha());
        if (!workspace.repository().getObjectDatabase().has(sha)) {
            throw PatchFailure.invalidField("repository.sha", "not in the history of " + ref + " on the remote");
        }
        RevCommit base = workspace.commit(sha);
        ObjectId tip = remoteBranch == null ? null : remoteBranch.getObjectId();
        if (tip != null) {
            Optional<RevCommit> earlier = workspace.findByTrailer(tip, PatchJob.TRAILER, task.taskId());
            if (earlier.isPresent()) {
                return new Outcome("committed", "already committed by an earlier run of this task; nothing pushed",
                    earlier.get().name(), branch);
            }
        }
        WorkTreeSnapshot.Snapshot snapshot = WorkTreeSnapshot.take(workspace.repository(), base.getTree(), workTree);
        if (snapshot.changes().isEmpty()) {
            return new Outcome("no_changes", "the transformer changed nothing; nothing pushed", null, branch);
        }
        for (WorkTreeSnapshot.Change change : snapshot.changes()) {
            check(change, task.allowPaths());
        }
        if (tip != null && workspace.commit(tip).getTree().equals(snapshot.tree())) {
            return new Outcome("committed", "branch " + branch + " already holds this change; nothing pushed",
                tip.name(), branch);
        }
        PersonIdent person = new PersonIdent(task.commit().authorName(), task.commit().authorEmail(), Instant.now(),
            ZoneOffset.UTC);
        ObjectId commit = workspace.writeCommit(snapshot.tree(), base, person,
            PatchJob.messageWithTrailer(task.commit().message(), task.taskId()));
        RepositoryWorkspace.PushOutcome pushed = workspace.push(branch, commit, tip == null ? ObjectId.zeroId() : tip);
        if (!pushed.accepted()) {
            return new Outcome("push_rejected", pushed.reason() + "; nothing was forced", null, branch);
        }
        LOG.info("pushed {} ({} changed paths) to {}", commit.name(), snapshot.changes().size(), branchRef);
        return new Outcome("committed", "committed " + snapshot.changes().size() + " changed path(s) to " + branch,
            commit.name(), branch);
    }

    private static void check(WorkTreeSnapshot.Change change, List<String> allowPaths) throws PatchFailure {
        PatchGuard.checkPath(change.path());
        Optional<String> ci = CiConfigPaths.refusal(change.path(), allowPaths);
        if (ci.isPresent()) {
            throw PatchFailure.patchFailed(ci.get());
        }
        if (change.newMode() == FileMode.SYMLINK) {
            throw PatchFailure.patchFailed("symbolic links are refused (they can point outside the repository): "
                + change.path());
        }
        if (change.newMode() == FileMode.GITLINK) {
            throw PatchFailure.patchFailed("nested repositories and submodules are refused: " + change.path());
        }
    }
}
