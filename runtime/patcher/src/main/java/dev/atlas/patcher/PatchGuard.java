package dev.atlas.patcher;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jgit.diff.DiffEntry.ChangeType;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectChecker;
import org.eclipse.jgit.patch.FileHeader;
import org.eclipse.jgit.patch.FileHeader.PatchType;
import org.eclipse.jgit.patch.FormatError;
import org.eclipse.jgit.patch.HunkHeader;
import org.eclipse.jgit.patch.Patch;
import org.eclipse.jgit.util.RawParseUtils;

/**
 * Parses a patch and refuses anything unsafe or unsupported <em>before</em> a repository is even fetched, so a
 * refused patch cannot have written anything. The checks run on the paths JGit parsed, since those are the paths
 * the applier would use.
 *
 * <p>Refused: malformed patches, binary patches, no file changes, a path that is absolute, has an empty, {@code .}
 * or {@code ..} segment, a backslash or a control character, names {@code .git} in any case or in a form that some
 * file system treats as {@code .git} (NTFS short names, trailing dots, HFS+ ignorable characters — JGit's hardened
 * {@link ObjectChecker} with Windows and macOS rules), names {@code .gitmodules} (it redirects submodule URLs for
 * every later clone), file modes other than regular or executable (symlinks can point outside the work tree;
 * gitlinks add submodules), the same path touched twice, and a modification whose old and new names differ.
 */
public final class PatchGuard {
    // A hunk header JGit could not parse is read as "line 0", which the applier treats as "clear the file".
    private static final Pattern HUNK_HEADER = Pattern.compile("^@@ -\\d+(,\\d+)? \\+\\d+(,\\d+)? @@.*");

    private PatchGuard() {
    }

    /** Parses and checks the patch; returns it only when every check passed. */
    public static Patch parseAndCheck(byte[] diff) throws PatchFailure {
        Patch patch = new Patch();
        patch.parse(diff, 0, diff.length);
        for (FormatError error : patch.getErrors()) {
            if (error.getSeverity() == FormatError.Severity.ERROR) {
                throw PatchFailure.patchFailed("malformed patch: " + error.getMessage().strip());
            }
        }
        List<? extends FileHeader> files = patch.getFiles();
        if (files.isEmpty()) {
            throw PatchFailure.patchFailed("malformed patch: no file changes found");
        }
        Set<String> seen = new HashSet<>();
        for (FileHeader file : files) {
            checkFile(file, seen);
        }
        return patch;
    }

    /**
     * Refuses a patch that adds, changes, renames or deletes CI configuration ({@link CiConfigPaths}) not listed in
     * {@code allowPaths}: pushed, it would run with the project's CI secrets.
     */
    public static void checkCiConfig(Patch patch, List<String> allowPaths) throws PatchFailure {
        for (FileHeader file : patch.getFiles()) {
            for (String path : new String[] {file.getOldPath(), file.getNewPath()}) {
                if (path != null && !path.equals(FileHeader.DEV_NULL)) {
                    java.util.Optional<String> refusal = CiConfigPaths.refusal(path, allowPaths);
                    if (refusal.isPresent()) {
                        throw PatchFailure.patchFailed(safe(refusal.get()));
                    }
                }
            }
        }
    }

    private static void checkFile(FileHeader file, Set<String> seen) throws PatchFailure {
        ChangeType type = file.getChangeType();
        String oldPath = type == ChangeType.ADD ? null : file.getOldPath();
        String newPath = type == ChangeType.DELETE ? null : file.getNewPath();
        String shown = newPath != null ? newPath : oldPath;
        if (oldPath != null) {
            checkPath(oldPath);
        }
        if (newPath != null) {
            checkPath(newPath);
        }
        if (file.getPatchType() != PatchType.UNIFIED || containsBinaryMarker(file)) {
            throw PatchFailure.patchFailed("binary patches are not supported: " + safe(shown));
        }
        if (type == ChangeType.MODIFY && !oldPath.equals(newPath)) {
            throw PatchFailure.patchFailed("file names in the headers disagree: " + safe(oldPath) + " vs " + safe(newPath));
        }
        checkMode(file.getOldMode(), shown);
        checkMode(file.getNewMode(), shown);
        // Two sections on one path would be applied against the same original content, and the last one would win.
        Set<String> touched = new HashSet<>();
        touched.add(oldPath);
        touched.add(newPath);
        touched.remove(null);
        for (String path : touched) {
            if (!seen.add(path)) {
                throw PatchFailure.patchFailed("path appears more than once in the patch: " + safe(path));
            }
        }
        for (HunkHeader hunk : file.getHunks()) {
            int end = RawParseUtils.nextLF(hunk.getBuffer(), hunk.getStartOffset());
            String header = RawParseUtils.decode(hunk.getBuffer(), hunk.getStartOffset(), end).strip();
            if (!HUNK_HEADER.matcher(header).matches()) {
                throw PatchFailure.patchFailed("malformed patch: bad hunk header in " + safe(shown));
            }
        }
    }

    /** Refuses a path that could escape the work tree, reach git's own files, or mean something else elsewhere. */
    static void checkPath(String path) throws PatchFailure {
        if (path == null || path.isEmpty()) {
            throw PatchFailure.patchFailed("refused path: empty file name");
        }
        String shown = safe(path);
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            throw PatchFailure.patchFailed("refused path (absolute): " + shown);
        }
        if (path.indexOf('\\') >= 0 || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw PatchFailure.patchFailed("refused path (backslash or control character): " + shown);
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw PatchFailure.patchFailed("refused path (empty, . or .. segment): " + shown);
            }
            String lower = segment.toLowerCase(Locale.ROOT);
            if (lower.equals(".git")) {
                throw PatchFailure.patchFailed("refused path (touches .git): " + shown);
            }
            if (lower.equals(".gitmodules")) {
                throw PatchFailure.patchFailed("refused path (.gitmodules may not be changed by a patch): " + shown);
            }
        }
        ObjectChecker checker = new ObjectChecker().setSafeForWindows(true).setSafeForMacOS(true);
        try {
            checker.checkPath(path.getBytes(StandardCharsets.UTF_8), 0, path.getBytes(StandardCharsets.UTF_8).length);
        } catch (CorruptObjectException e) {
            // JGit's hardened rules catch .git look-alikes: "GIT~1", ".git.", ".g\u200cit", reserved Windows names.
            throw PatchFailure.patchFailed("refused path (" + e.getMessage() + "): " + shown);
        }
    }

    private static void checkMode(FileMode mode, String path) throws PatchFailure {
        if (mode == null || mode == FileMode.MISSING || mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
            return;
        }
        if (mode == FileMode.SYMLINK) {
            throw PatchFailure.patchFailed("symbolic links are refused (they can point outside the repository): " + safe(path));
        }
        if (mode == FileMode.GITLINK) {
            throw PatchFailure.patchFailed("submodule entries are refused: " + safe(path));
        }
        throw PatchFailure.patchFailed("unsupported file mode " + mode + ": " + safe(path));
    }

    private static boolean containsBinaryMarker(FileHeader file) {
        // Look only at the file's header lines (before the first hunk): hunk bodies may quote these words.
        int end = file.getHunks().isEmpty() ? file.getEndOffset() : file.getHunks().get(0).getStartOffset();
        String header = RawParseUtils.decode(file.getBuffer(), file.getStartOffset(), end);
        return header.contains("\nGIT binary patch") || header.contains("\nBinary files ");
    }

    /** Paths are shown in details; keep them single-line and bounded. */
    private static String safe(String path) {
        String oneLine = path == null ? "" : path.replaceAll("[\\x00-\\x1f\\x7f]", "?");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }
}
