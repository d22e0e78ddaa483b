package dev.atlas.patcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.patch.Patch;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.URIish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The git half of a patch run: fetch, recognise an earlier run, check the head, apply, commit, push.
 * See the module README for the rules; in short:
 * <ul>
 * <li>A commit on the destination branch carrying {@code Atlas-Task-Id: <taskId>}, or a branch tip whose tree
 *     already equals the patched tree, means the task was done before: report it, push nothing.</li>
 * <li>Head at {@code repository.sha}: apply; failure is {@code patch_failed}.</li>
 * <li>Head moved: apply on the new head; success is reported with {@code headMoved: true}; failure is
 *     {@code stale_changeset}, unless the patch does not apply at the expected commit either
 *     ({@code patch_failed}: the patch was never good).</li>
 * <li>The push is never forced and is conditional on the branch still being where it was when fetched.</li>
 * </ul>
 */
final class PatchJob {
    static final String TRAILER = "Atlas-Task-Id";
    private static final Logger LOG = LoggerFactory.getLogger(PatchJob.class);

    private final Path workspaceRoot;
    private final Duration gitTimeout;
    private final RepositoryWorkspace.BeforePush beforePush;

    PatchJob(Path workspaceRoot, Duration gitTimeout, RepositoryWorkspace.BeforePush beforePush) {
        this.workspaceRoot = workspaceRoot;
        this.gitTimeout = gitTimeout;
        this.beforePush = beforePush;
    }

    PatchResult run(PatchTask task, Secrets secrets, byte[] diff) throws PatchFailure, IOException {
        // Checked before anything is fetched: a refused patch has nothing it could have written.
        Patch patch = PatchGuard.parseAndCheck(diff);
        PatchGuard.checkCiConfig(patch, task.allowPaths());
        URIish uri = RepositoryWorkspace.uri(task.repository().cloneUrl());
        GitCredentials credentials = new GitCredentials(uri, secrets.cloneUser(), secrets.cloneToken());
        try (RepositoryWorkspace workspace = RepositoryWorkspace.create(workspaceRoot, uri, credentials, gitTimeout)) {
            return run(task, patch, workspace);
        } catch (TransportException e) {
            throw new PatchFailure(Status.ERROR, "git transport failed: " + e.getMessage());
        }
    }

    private PatchResult run(PatchTask task, Patch patch, RepositoryWorkspace workspace)
        throws PatchFailure, IOException {
        String branch = task.commit().branch();
        Map<String, Ref> refs = workspace.advertisedRefs();
        String baseRef = resolveRef(refs, task.repository().ref());
        String branchRef = "refs/heads/" + branch;
        Ref remoteBranch = refs.get(branchRef);
        List<String> toFetch = new ArrayList<>(List.of(baseRef));
        if (remoteBranch != null && !branchRef.equals(baseRef)) {
            toFetch.add(branchRef);
        }
        workspace.fetch(toFetch);
        RevCommit head = workspace.commit(refs.get(baseRef).getObjectId());
        ObjectId branchTip = remoteBranch == null ? null : remoteBranch.getObjectId();
        String expected = task.repository().sha();
        boolean moved = !expected.equals(head.name());
        PatchResult base = PatchResult.of(Status.COMMITTED, null).withHead(expected, head.name());
        LOG.info("fetched {} at {} (expected {})", baseRef, head.name(), expected);

        if (branchTip != null) {
            Optional<RevCommit> earlier = workspace.findByTrailer(branchTip, TRAILER, task.taskId());
            if (earlier.isPresent()) {
                return base.withStatus(Status.COMMITTED, "already committed by an earlier run of this task; nothing pushed")
                    .withCommit(earlier.get().name(), branch, true);
            }
        }

        TreePatcher patcher = new TreePatcher(workspace.repository());
        ObjectId tree;
        try {
            tree = patcher.apply(head.getTree(), patch);
        } catch (PatchFailure notApplicable) {
            if (moved && !failsAtExpected(workspace, patcher, expected, patch)) {
                return base.withStatus(Status.STALE_CHANGESET, "head moved from " + expected + " to " + head.name()
                    + " and the patch no longer applies (" + notApplicable.getMessage() + "); nothing pushed");
            }
            return base.withStatus(Status.PATCH_FAILED, notApplicable.getMessage());
        }
        String movedNote = moved ? " (head moved from " + expected + " to " + head.name() + "; the patch still applied)" : "";

        if (branchTip != null && workspace.commit(branchTip).getTree().equals(tree)) {
            return base.withStatus(Status.COMMITTED, "branch " + branch + " already holds this change; nothing pushed" + movedNote)
                .withCommit(branchTip.name(), branch, true);
        }

        PersonIdent person = new PersonIdent(task.commit().authorName(), task.commit().authorEmail(), Instant.now(), ZoneOffset.UTC);
        ObjectId commit = workspace.writeCommit(tree, head, person, messageWithTrailer(task.commit().message(), task.taskId()));
        try {
            beforePush.run(workspace.directory());
        } catch (Exception e) {
            throw new IllegalStateException("before-push hook failed", e);
        }
        RepositoryWorkspace.PushOutcome pushed = workspace.push(branch, commit, branchTip == null ? ObjectId.zeroId() : branchTip);
        if (!pushed.accepted()) {
            return base.withStatus(Status.PUSH_REJECTED, pushed.reason() + "; nothing was forced");
        }
        LOG.info("pushed {} to {}", commit.name(), branchRef);
        return base.withStatus(Status.COMMITTED, "committed to " + branch + movedNote).withCommit(commit.name(), branch, false);
    }

    /** True when the expected commit is known here and the patch does not apply to it either. */
    private static boolean failsAtExpected(RepositoryWorkspace workspace, TreePatcher patcher, String expected, Patch patch)
        throws IOException {
        ObjectId id = ObjectId.fromString(expected);
        if (!workspace.repository().getObjectDatabase().has(id)) {
            return false;
        }
        try {
            patcher.apply(workspace.commit(id).getTree(), patch);
            return false;
        } catch (PatchFailure e) {
            return true;
        }
    }

    /** A branch name, a tag name, or a full ref; branches win over tags, as in git. */
    private static String resolveRef(Map<String, Ref> refs, String ref) throws PatchFailure {
        List<String> candidates = ref.startsWith("refs/") ? List.of(ref) : List.of("refs/heads/" + ref, "refs/tags/" + ref);
        for (String candidate : candidates) {
            if (refs.containsKey(candidate)) {
                return candidate;
            }
        }
        throw PatchFailure.invalidField("repository.ref", "not found on the remote");
    }

    /** Appends {@code Atlas-Task-Id: <id>} to the message's trailer block, starting one if there is none. */
    static String messageWithTrailer(String message, String taskId) {
        String trimmed = message.strip();
        String[] paragraphs = trimmed.split("\n[ \t]*\n");
        String last = paragraphs[paragraphs.length - 1];
        boolean endsWithTrailers = paragraphs.length > 1 && last.lines().allMatch(line -> line.matches("[A-Za-z0-9-]+: .*"));
        return trimmed + (endsWithTrailers ? "\n" : "\n\n") + TRAILER + ": " + taskId + "\n";
    }
}
