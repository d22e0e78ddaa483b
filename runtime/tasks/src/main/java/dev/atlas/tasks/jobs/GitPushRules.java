package dev.atlas.tasks.jobs;

import dev.atlas.patcher.CiConfigPaths;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * What a job's push may do (SPEC §6), checked on the received objects before anything reaches the VCS: update only
 * {@code refs/heads/<branch>} of its grant (never the task's own ref, and only under {@code tasks.push.branchPrefix}),
 * and bring no commit that adds, changes or removes a CI-configuration path not listed in
 * {@code tasks.push.allowPaths}. Deletes and non-fast-forwards are refused by JGit itself before these rules run.
 */
final class GitPushRules {
    /** More new commits than this in one push are refused rather than walked. */
    static final int MAX_NEW_COMMITS = 10_000;

    private final String branchPrefix;
    private final List<String> allowPaths;

    GitPushRules(String branchPrefix, List<String> allowPaths) {
        this.branchPrefix = branchPrefix;
        this.allowPaths = List.copyOf(allowPaths);
    }

    /**
     * Why {@code command} may not go to the VCS, or empty when it may.
     *
     * @param branchRef the one branch the grant may push, as a full ref
     * @param baseRefs the full names the task's own {@code ref} stands for
     */
    Optional<String> refusal(Repository repository, ReceiveCommand command, String branchRef, List<String> baseRefs)
        throws IOException {
        String allowed = branchRef;
        if (!command.getRefName().equals(allowed)) {
            return Optional.of("this task may push only " + allowed);
        }
        String branch = allowed.substring(Constants.R_HEADS.length());
        if (baseRefs.contains(allowed) || !branch.startsWith(branchPrefix) || branch.equals(branchPrefix)) {
            return Optional.of("this task may not push " + allowed + " (not under " + branchPrefix + ")");
        }
        if (command.getType() != ReceiveCommand.Type.CREATE && command.getType() != ReceiveCommand.Type.UPDATE) {
            return Optional.of("only fast-forward updates are allowed");
        }
        return ciChange(repository, command);
    }

    /** The first CI-configuration path a new commit of the push touches, in the walk's order. */
    private Optional<String> ciChange(Repository repository, ReceiveCommand command) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            walk.markStart(walk.parseCommit(command.getNewId()));
            if (!ObjectId.zeroId().equals(command.getOldId())) {
                walk.markUninteresting(walk.parseCommit(command.getOldId()));
            }
            // what the mirror already had from the VCS is not the job's doing
            for (Ref ref : repository.getRefDatabase().getRefs()) {
                if (ref.getObjectId() != null && !ref.isSymbolic()) {
                    RevCommit known = commitOrNull(walk, ref.getObjectId());
                    if (known != null) {
                        walk.markUninteresting(known);
                    }
                }
            }
            int seen = 0;
            for (RevCommit commit : walk) {
                if (++seen > MAX_NEW_COMMITS) {
                    return Optional.of("more than " + MAX_NEW_COMMITS + " new commits in one push");
                }
                Optional<String> refused = ciChange(repository, commit);
                if (refused.isPresent()) {
                    return Optional.of("commit " + commit.abbreviate(10).name() + ": " + refused.get());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A CI path whose entry in {@code commit} differs from every parent's (a merge taking a file as one parent has it
     * brings nothing new); a root commit is compared with the empty tree.
     */
    private Optional<String> ciChange(Repository repository, RevCommit commit) throws IOException {
        try (TreeWalk tree = new TreeWalk(repository)) {
            tree.setRecursive(true);
            tree.addTree(commit.getTree());
            if (commit.getParentCount() == 0) {
                tree.addTree(new EmptyTreeIterator());
            }
            for (RevCommit parent : commit.getParents()) {
                try (RevWalk parse = new RevWalk(repository)) {
                    tree.addTree(parse.parseCommit(parent).getTree());
                }
            }
            tree.setFilter(TreeFilter.ANY_DIFF);
            while (tree.next()) {
                if (!differsFromEveryParent(tree)) {
                    continue;
                }
                Optional<String> refused = CiConfigPaths.refusal(tree.getPathString(), allowPaths);
                if (refused.isPresent()) {
                    return refused;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean differsFromEveryParent(TreeWalk tree) {
        for (int i = 1; i < tree.getTreeCount(); i++) {
            if (tree.idEqual(0, i) && tree.getRawMode(0) == tree.getRawMode(i)) {
                return false;
            }
        }
        return true;
    }

    private static RevCommit commitOrNull(RevWalk walk, ObjectId id) throws IOException {
        try {
            return walk.parseCommit(id);
        } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException | org.eclipse.jgit.errors.MissingObjectException e) {
            return null;
        }
    }
}
