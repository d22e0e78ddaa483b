package dev.atlas.driver.local;

import dev.atlas.api.Secret;
import dev.atlas.api.driver.JobSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folder of one task: {@code task/} (task files), {@code secrets/} (secret files, for Atlas's own steps only),
 * {@code workspace/} (shared by the steps), {@code results/} (the task's result files), {@code home/} (the {@code HOME}
 * of Atlas's own steps, so tools do not write into the Atlas user's home), {@code logs/<step>.log} and the state file.
 * Everything is private to the Atlas user: folders {@code 0700}, files {@code 0600}, created with those permissions
 * rather than changed afterwards, so no other user can open a secret in between. When the job ends everything but the
 * state file goes: the workspace holds the source, and nothing after the job needs it.
 */
final class TaskFolder {
    static final Set<PosixFilePermission> DIR_PERMS = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_PERMS = PosixFilePermissions.fromString("rw-------");

    private final Path root;

    TaskFolder(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path taskDir() {
        return root.resolve("task");
    }

    Path secretsDir() {
        return root.resolve("secrets");
    }

    Path workspace() {
        return root.resolve("workspace");
    }

    Path resultsDir() {
        return root.resolve("results");
    }

    Path home() {
        return root.resolve("home");
    }

    Path log(String step) {
        return root.resolve("logs").resolve(step + ".log");
    }

    /**
     * Creates the folder with what the accepted task holds ({@code task/}, {@code secrets/} and the spec's files). The
     * folders the job works in come when it runs ({@link #createRunDirs}), off the path of the request that submitted
     * it. The caller deletes the folder if this throws.
     */
    void create(JobSpec spec) throws IOException {
        createPrivateDir(root);
        createPrivateDir(taskDir());
        createPrivateDir(secretsDir());
        for (Map.Entry<String, byte[]> file : spec.taskFiles().entrySet()) {
            writePrivate(taskDir().resolve(file.getKey()), file.getValue());
        }
        for (Map.Entry<String, Secret> file : spec.secretFiles().entrySet()) {
            writePrivate(secretsDir().resolve(file.getKey()), file.getValue().bytes());
        }
    }

    /**
     * Deletes whatever in the results folder is not a regular file, before one of Atlas's own steps reads it: the
     * task's code could leave a link there to a file of Atlas's (its keys are JSON) for {@code report} to post.
     *
     * @return the names deleted
     */
    List<String> dropIrregularResults() throws IOException {
        List<Path> irregular;
        try (Stream<Path> listing = Files.list(resultsDir())) {
            irregular = listing.filter(p -> !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
        for (Path entry : irregular) {
            deleteTree(entry);
        }
        return irregular.stream().map(p -> p.getFileName().toString()).toList();
    }

    /** Creates the folder and its empty sub-folders. */
    void createDirs() throws IOException {
        createPrivateDir(root);
        createPrivateDir(taskDir());
        createPrivateDir(secretsDir());
        createRunDirs();
    }

    /** Creates the folders a running job writes into: workspace, results, home and logs (those missing). */
    void createRunDirs() throws IOException {
        for (Path dir : new Path[] {workspace(), resultsDir(), home(), root.resolve("logs")}) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                createPrivateDir(dir);
            }
        }
    }

    /** Deletes the secret files: on cancel at once, before the job's processes are gone. */
    void wipeSecrets() throws IOException {
        deleteTree(secretsDir());
    }

    /**
     * Deletes everything but the state file once the job has ended (succeeded, failed, cancelled, timed out or
     * interrupted): the secrets, the workspace with the source, the results, the logs. Only the record that answers
     * {@code status} stays.
     */
    void clearAfterRun() throws IOException {
        deleteTree(secretsDir());
        List<Path> entries;
        try (Stream<Path> listing = Files.list(root)) {
            entries = listing.filter(p -> !p.getFileName().toString().startsWith(TaskRecord.STATE_FILE)).toList();
        } catch (NoSuchFileException e) {
            return;
        }
        for (Path entry : entries) {
            deleteTree(entry);
        }
    }

    static void createPrivateDir(Path dir) throws IOException {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_PERMS));
        // the umask can only remove bits; setting them again documents the intent and survives odd umasks
        Files.setPosixFilePermissions(dir, DIR_PERMS);
    }

    private static void writePrivate(Path file, byte[] content) throws IOException {
        FileAttribute<Set<PosixFilePermission>> perms = PosixFilePermissions.asFileAttribute(FILE_PERMS);
        try (SeekableByteChannel out = Files.newByteChannel(file,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), perms)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
    }

    /** Deletes {@code dir} and everything in it; a folder that is already gone is fine. */
    static void deleteTree(Path dir) throws IOException {
        // the job's runner and a cancel may delete the same secrets at once: what is gone already is fine
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    // a job's code may have taken the write bit off a folder of its workspace; symbolic links are
                    // never followed (the walk does not follow them, they are deleted as links)
                    try {
                        Files.setPosixFilePermissions(d, DIR_PERMS);
                    } catch (IOException | UnsupportedOperationException e) {
                        // deleting what is inside reports the real problem
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    /** The task folders under {@code workDir}. */
    static Stream<Path> list(Path workDir) {
        try {
            return Files.list(workDir).filter(Files::isDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
