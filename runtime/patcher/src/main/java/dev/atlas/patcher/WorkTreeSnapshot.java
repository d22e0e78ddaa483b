package dev.atlas.patcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.WorkingTreeIterator;
import org.eclipse.jgit.treewalk.WorkingTreeOptions;
import org.eclipse.jgit.util.FS;

/**
 * The tree a transformer left in {@code $ATLAS_WORKSPACE/repo}, written into Atlas's own throw-away repository as if
 * {@code git add -A} had run, and what changed against the base commit's tree.
 *
 * <p>The workspace was in the hands of the task's code, so nothing of its {@code .git} is used: not its config (a
 * {@code filter.<x>.clean} or {@code core.fsmonitor} there would run a command next to Atlas's tokens), not its
 * objects, not its index. The files are read as plain files with no repository behind the walk, so no filter or
 * hook can run; symbolic links are recorded as links and never followed (a link to the secrets dir would otherwise
 * put a token into the commit), and FIFOs or devices are refused rather than read; {@code .gitignore} files in the
 * tree are honoured for files the base does not track.
 * Submodules of the base are kept as they were; nested repositories and special files are not added.
 */
final class WorkTreeSnapshot {
    /** One path whose entry differs from the base; {@code newMode} is {@link FileMode#MISSING} for a deletion. */
    record Change(String path, FileMode newMode) {
    }

    /** The snapshot's tree and its changes against the base tree (empty when the tree is the base tree). */
    record Snapshot(ObjectId tree, List<Change> changes) {
    }

    private WorkTreeSnapshot() {
    }

    /**
     * Writes the work tree at {@code workTree} into {@code repository}, compared with {@code baseTree}.
     *
     * @throws PatchFailure ({@code patch_failed}) for a changed path {@link PatchGuard#checkPath} refuses: git's own
     *     folder in another case ({@code .GIT/hooks}), {@code .gitmodules}, names some file system reads as {@code .git}
     */
    static Snapshot take(Repository repository, ObjectId baseTree, Path workTree) throws IOException, PatchFailure {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        List<Change> changes = new ArrayList<>();
        Set<String> submodules = new HashSet<>();
        try (ObjectInserter inserter = repository.newObjectInserter();
            ObjectReader reader = repository.newObjectReader();
            TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(baseTree);
            walk.addTree(new FileTreeIterator(workTree.toFile(), FS.DETECTED, new Config().get(WorkingTreeOptions.KEY)));
            walk.setRecursive(false);
            while (walk.next()) {
                String path = walk.getPathString();
                FileMode baseMode = walk.getFileMode(0);
                WorkingTreeIterator file = walk.getTree(1, WorkingTreeIterator.class);
                FileMode fileMode = file == null ? FileMode.MISSING : file.getEntryFileMode();
                if (baseMode == FileMode.GITLINK) {
                    // a submodule of the base: its folder is empty in the clone; the transformer cannot change it
                    submodules.add(path);
                    add(builder, path, FileMode.GITLINK, walk.getObjectId(0));
                    continue;
                }
                boolean tracked = baseMode != FileMode.MISSING;
                if (walk.isSubtree()) {
                    if (tracked || file == null || !file.isEntryIgnored()) {
                        walk.enterSubtree();
                    }
                    continue;
                }
                if (file == null || fileMode == FileMode.MISSING || fileMode == FileMode.TREE
                    || (!tracked && file.isEntryIgnored())) {
                    if (tracked) {
                        changes.add(new Change(path, FileMode.MISSING));
                    }
                    continue;
                }
                if (fileMode == FileMode.GITLINK) {
                    // a repository nested in the work tree: never added as a submodule
                    changes.add(new Change(path, FileMode.GITLINK));
                    continue;
                }
                if (fileMode != FileMode.SYMLINK && !Files.isRegularFile(workTree.resolve(path), LinkOption.NOFOLLOW_LINKS)) {
                    // a FIFO or device looks like a file to the walk; reading it could block or read a device
                    throw PatchFailure.patchFailed("special files (FIFOs, devices, sockets) are refused: " + path);
                }
                ObjectId blob;
                try (InputStream content = file.openEntryStream()) {
                    blob = inserter.insert(Constants.OBJ_BLOB, file.getEntryContentLength(), content);
                }
                if (!tracked || !baseMode.equals(fileMode) || !blob.equals(walk.getObjectId(0))) {
                    PatchGuard.checkPath(path);
                    changes.add(new Change(path, fileMode));
                }
                add(builder, path, fileMode, blob);
            }
            builder.finish();
            ObjectId tree = index.writeTree(inserter);
            inserter.flush();
            return new Snapshot(tree, List.copyOf(changes));
        }
    }

    private static void add(DirCacheBuilder builder, String path, FileMode mode, ObjectId id) {
        DirCacheEntry entry = new DirCacheEntry(path);
        entry.setFileMode(mode);
        entry.setObjectId(id);
        builder.add(entry);
    }
}
