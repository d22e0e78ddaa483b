package dev.atlas.tasks.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-task bare repositories Atlas's git endpoint serves ({@code <dataDir>/jobs/git/<taskId>.git}): what Atlas
 * fetched from the VCS for the task, and what the task pushed. They hold no credential, remote or URL (every VCS call
 * passes the URL and credential per call). One lock per task serialises refreshes and pushes on this replica; a
 * mirror untouched for longer than a task can live is removed by {@link #sweep}.
 */
final class GitMirror {
    private static final Logger LOG = LoggerFactory.getLogger(GitMirror.class);
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Touched after each refresh from the VCS: how fresh this replica's copy is. */
    private static final String REFRESHED = "atlas-refreshed";

    private final Path root;
    private final Clock clock;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    GitMirror(Path root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    /** The lock of {@code taskId}'s mirror; hold it while refreshing or receiving. */
    ReentrantLock lock(String taskId) {
        return locks.computeIfAbsent(taskId, k -> new ReentrantLock());
    }

    /** Opens (creating it empty when new) the bare repository of {@code taskId}; the caller closes it. */
    Repository open(String taskId) throws IOException {
        if (!TASK_ID.matcher(taskId).matches() || taskId.contains("..")) {
            throw new IllegalArgumentException("not a task id");
        }
        Path dir = root.resolve(taskId + ".git");
        ReentrantLock lock = lock(taskId);
        lock.lock();
        try {
            Files.createDirectories(root);
            FileRepository repository = new FileRepository(dir.toFile());
            if (!Files.isDirectory(dir.resolve("objects"))) {
                repository.create(true);
            }
            isolate(repository.getConfig());
            Files.setLastModifiedTime(dir, FileTime.from(clock.instant()));
            return repository;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Settings held in memory only (never saved): no redirect may carry the VCS credential elsewhere, no background gc
     * may race a request, no hook of a global git config runs. (Nothing is checked out, so no filter runs either.)
     */
    private static void isolate(StoredConfig config) {
        config.setString("http", null, "followRedirects", "false");
        config.setBoolean("fetch", null, "autogc", false);
        config.setInt("gc", null, "auto", 0);
        config.setString("core", null, "hooksPath", "/dev/null");
    }

    /** When this replica last brought {@code repository} up to date with the VCS. */
    Instant refreshedAt(Repository repository) {
        Path marker = repository.getDirectory().toPath().resolve(REFRESHED);
        try {
            return Files.exists(marker) ? Files.getLastModifiedTime(marker).toInstant() : Instant.EPOCH;
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    void markRefreshed(Repository repository) throws IOException {
        Path marker = repository.getDirectory().toPath().resolve(REFRESHED);
        if (!Files.exists(marker)) {
            Files.createFile(marker);
        }
        Files.setLastModifiedTime(marker, FileTime.from(clock.instant()));
    }

    /** Removes the mirrors nobody used for {@code maxAge} (their tasks ended); returns how many. */
    int sweep(Duration maxAge) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        Instant cutoff = clock.instant().minus(maxAge);
        int removed = 0;
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().endsWith(".git")).toList()) {
                String taskId = dir.getFileName().toString().replaceAll("\\.git$", "");
                ReentrantLock lock = lock(taskId);
                if (!lock.tryLock()) {
                    continue;
                }
                try {
                    if (Files.getLastModifiedTime(dir).toInstant().isBefore(cutoff)) {
                        FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING | FileUtils.RETRY);
                        removed++;
                        locks.remove(taskId, lock);
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot sweep old task mirrors under {}: {}", root, e.toString());
        }
        return removed;
    }
}
