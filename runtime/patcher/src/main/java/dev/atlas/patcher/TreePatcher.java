package dev.atlas.patcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.diff.DiffEntry.ChangeType;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.patch.FileHeader;
import org.eclipse.jgit.patch.HunkHeader;
import org.eclipse.jgit.patch.Patch;
import org.eclipse.jgit.patch.PatchApplier;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.RawParseUtils;

/**
 * Applies a checked patch to a tree, in memory, and returns the resulting tree.
 *
 * <p>Why in memory: JGit's work-tree mode writes each file as it goes, so a hunk failing in the third file leaves
 * the first two changed. Its in-core mode ({@code PatchApplier(repo, tree, inserter)}) only inserts blobs into the
 * object database and builds a new tree; when any hunk fails the tree is discarded, and the unreferenced blobs die
 * with the throw-away workspace. There is no work tree at all, so no path in a patch can reach the file system.
 *
 * <p>JGit's in-core mode is lenient where {@code git apply} is not, so this class adds the checks that make
 * "applies cleanly" mean what a reviewer expects: modified, deleted and renamed files must exist as regular files;
 * added and rename targets must not exist yet; a deleted file must still have the content the patch deletes; and
 * a diff without mode lines keeps the file's executable bit instead of resetting it.
 */
final class TreePatcher {
    private final Repository repository;

    TreePatcher(Repository repository) {
        this.repository = repository;
    }

    /** The tree after the patch, or {@code patch_failed} naming the first file that did not apply. */
    ObjectId apply(RevTree base, Patch patch) throws PatchFailure, IOException {
        Map<String, FileMode> executableKept = new HashMap<>();
        try (ObjectReader reader = repository.newObjectReader()) {
            for (FileHeader file : patch.getFiles()) {
                precheck(reader, base, file, executableKept);
            }
        }
        try (ObjectInserter inserter = repository.newObjectInserter()) {
            PatchApplier.Result result;
            try {
                result = new PatchApplier(repository, base, inserter).applyPatch(patch);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // DirCache name conflicts (a file where a directory should be) and JGit's own path checks.
                throw PatchFailure.patchFailed("patch does not apply: " + e.getMessage());
            }
            if (!result.getErrors().isEmpty()) {
                throw PatchFailure.patchFailed("patch does not apply: " + result.getErrors().get(0).toString().strip());
            }
            ObjectId tree = executableKept.isEmpty() ? result.getTreeId() : restoreModes(result.getTreeId(), executableKept, inserter);
            inserter.flush();
            return tree;
        }
    }

    private void precheck(ObjectReader reader, RevTree base, FileHeader file, Map<String, FileMode> executableKept)
        throws PatchFailure, IOException {
        ChangeType type = file.getChangeType();
        if (type != ChangeType.ADD) {
            FileMode mode = existingMode(reader, base, file.getOldPath());
            if (mode == null) {
                throw PatchFailure.patchFailed("patch does not apply: " + file.getOldPath() + " does not exist");
            }
            if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
                throw PatchFailure.patchFailed("patch does not apply: " + file.getOldPath() + " is not a regular file");
            }
            if (type == ChangeType.DELETE) {
                checkDeletedContent(reader, base, file);
            } else if (file.getNewMode() == null && mode == FileMode.EXECUTABLE_FILE) {
                executableKept.put(file.getNewPath(), mode);
            }
        }
        if (type == ChangeType.ADD || type == ChangeType.RENAME || type == ChangeType.COPY) {
            String path = file.getNewPath();
            if (existingMode(reader, base, path) != null) {
                throw PatchFailure.patchFailed("patch does not apply: " + path + " already exists");
            }
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                FileMode parent = existingMode(reader, base, path.substring(0, slash));
                if (parent != null && parent != FileMode.TREE) {
                    throw PatchFailure.patchFailed("patch does not apply: " + path.substring(0, slash) + " is a file");
                }
            }
        }
    }

    /** Deleting a file someone changed since the patch was made would silently drop their change. */
    private void checkDeletedContent(ObjectReader reader, RevTree base, FileHeader file) throws PatchFailure, IOException {
        ObjectId actual = blobId(reader, base, file.getOldPath());
        AbbreviatedObjectId expected = file.getOldId();
        if (expected != null && expected.length() > 0 && !expected.name().chars().allMatch(c -> c == '0')) {
            if (expected.prefixCompare(actual) != 0) {
                throw PatchFailure.patchFailed("patch does not apply: " + file.getOldPath() + " changed since the patch was made");
            }
            return;
        }
        if (!file.getHunks().isEmpty()) {
            byte[] content = reader.open(actual, Constants.OBJ_BLOB).getBytes();
            if (!Arrays.equals(content, oldImage(file.getHunks()))) {
                throw PatchFailure.patchFailed("patch does not apply: " + file.getOldPath() + " changed since the patch was made");
            }
        }
    }

    /** The old side of the hunks of a whole-file deletion: context and removed lines, honouring "no newline". */
    private static byte[] oldImage(List<? extends HunkHeader> hunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean lastWasOld = false;
        for (HunkHeader hunk : hunks) {
            byte[] buf = hunk.getBuffer();
            int line = RawParseUtils.nextLF(buf, hunk.getStartOffset());
            while (line < hunk.getEndOffset()) {
                int next = RawParseUtils.nextLF(buf, line);
                int end = Math.min(next, hunk.getEndOffset());
                char first = (char) buf[line];
                if (first == ' ' || first == '-') {
                    out.write(buf, line + 1, end - line - 1);
                    lastWasOld = true;
                } else if (first == '\\' && lastWasOld && out.size() > 0) {
                    byte[] sofar = out.toByteArray();
                    out.reset();
                    out.write(sofar, 0, sofar.length - 1);
                } else {
                    lastWasOld = false;
                }
                line = next;
            }
        }
        return out.toByteArray();
    }

    private ObjectId restoreModes(ObjectId tree, Map<String, FileMode> modes, ObjectInserter inserter) throws IOException {
        try (ObjectReader reader = repository.newObjectReader()) {
            DirCache cache = DirCache.read(reader, tree);
            DirCacheEditor editor = cache.editor();
            for (Map.Entry<String, FileMode> entry : modes.entrySet()) {
                editor.add(new DirCacheEditor.PathEdit(entry.getKey()) {
                    @Override
                    public void apply(DirCacheEntry ent) {
                        ent.setFileMode(entry.getValue());
                    }
                });
            }
            editor.finish();
            return cache.writeTree(inserter);
        }
    }

    private static FileMode existingMode(ObjectReader reader, RevTree base, String path) throws IOException {
        try (TreeWalk walk = TreeWalk.forPath(reader, path, base)) {
            return walk == null ? null : walk.getFileMode(0);
        }
    }

    private static ObjectId blobId(ObjectReader reader, RevTree base, String path) throws IOException {
        try (TreeWalk walk = TreeWalk.forPath(reader, path, base)) {
            return walk.getObjectId(0);
        }
    }
}
