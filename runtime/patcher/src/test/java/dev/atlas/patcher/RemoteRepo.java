package dev.atlas.patcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/** A bare repository on disk standing in for the VCS; commits are written directly, without a work tree. */
final class RemoteRepo implements AutoCloseable {
    static final String EXECUTABLE = "#!x ";

    private final Path dir;
    private final Repository repo;

    RemoteRepo(Path dir) throws IOException {
        this.dir = dir;
        this.repo = new FileRepository(dir.toFile());
        repo.create(true);
        // Pushes into this repository would otherwise start a background gc that races the temp-dir cleanup.
        repo.getConfig().setBoolean("receive", null, "autogc", false);
        repo.getConfig().save();
    }

    String url() {
        return dir.toUri().toString();
    }

    Path dir() {
        return dir;
    }

    /**
     * Commits {@code files} (path to content; content starting with {@value #EXECUTABLE} is stored as an
     * executable file) on top of {@code parent} (may be null) and moves {@code branch} there.
     */
    ObjectId commit(String branch, ObjectId parent, Map<String, String> files, String message) throws IOException {
        try (ObjectInserter inserter = repo.newObjectInserter()) {
            DirCache cache = DirCache.newInCore();
            DirCacheBuilder builder = cache.builder();
            for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
                DirCacheEntry entry = new DirCacheEntry(file.getKey());
                boolean executable = file.getValue().startsWith(EXECUTABLE);
                String content = executable ? file.getValue().substring(EXECUTABLE.length()) : file.getValue();
                entry.setFileMode(executable ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE);
                entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8)));
                builder.add(entry);
            }
            builder.finish();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(cache.writeTree(inserter));
            if (parent != null) {
                commit.setParentId(parent);
            }
            PersonIdent someone = new PersonIdent("Fixture", "fixture@example.test", Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);
            commit.setAuthor(someone);
            commit.setCommitter(someone);
            commit.setMessage(message);
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repo.updateRef("refs/heads/" + branch);
            update.setNewObjectId(id);
            update.setForceUpdate(true);
            update.update();
            return id;
        }
    }

    ObjectId head(String branch) throws IOException {
        Ref ref = repo.exactRef("refs/heads/" + branch);
        return ref == null ? null : ref.getObjectId();
    }

    RevCommit commitAt(String branch) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(head(branch));
        }
    }

    /** Path to content of every file at the branch tip; executable files carry the {@value #EXECUTABLE} prefix. */
    Map<String, String> files(String branch) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (RevWalk walk = new RevWalk(repo); TreeWalk tree = new TreeWalk(repo)) {
            tree.addTree(walk.parseCommit(head(branch)).getTree());
            tree.setRecursive(true);
            while (tree.next()) {
                String content = new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
                files.put(tree.getPathString(), (tree.getFileMode(0) == FileMode.EXECUTABLE_FILE ? EXECUTABLE : "") + content);
            }
        }
        return files;
    }

    /** Commits on the branch, newest first. */
    List<RevCommit> log(String branch) throws IOException {
        List<RevCommit> commits = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(head(branch)));
            walk.forEach(commits::add);
        }
        return commits;
    }

    List<String> branches() throws IOException {
        return repo.getRefDatabase().getRefsByPrefix("refs/heads/").stream().map(Ref::getName).sorted().toList();
    }

    @Override
    public void close() {
        repo.close();
    }
}
