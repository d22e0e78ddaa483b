package dev.atlas.webhooks;

import dev.atlas.core.outbox.ReplayWindow;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay window of the file spool, on disk beside it: one empty marker per accepted body,
 * {@code <spoolDir>/bodies/<first two hex digits>/<key>}, whose modification time is when the body was accepted.
 * Creating the marker is atomic, so two identical bodies at once yield one claim; markers survive restarts; memory
 * use does not grow with the window. Markers are not synced: after a machine crash a body accepted in the last
 * moments may be accepted once more (the cloud still de-duplicates by {@code webhook-id}).
 */
public final class FileReplayWindow implements ReplayWindow {
    private static final Logger LOG = LoggerFactory.getLogger(FileReplayWindow.class);

    /** How far the file system's own creation time may be from {@code now} to stand for it (saves a syscall). */
    private static final long SAME_TIME_MILLIS = 50;

    private final Path root;
    private final Duration window;
    /** The two-hex-digit folders known to exist, so that a claim does not ask the file system each time. */
    private final java.util.Set<String> shards = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public FileReplayWindow(Path root, Duration window) throws IOException {
        this.root = Files.createDirectories(root);
        this.window = window;
    }

    private Path marker(String key) {
        return root.resolve(key.substring(0, 2)).resolve(key);
    }

    @Override
    public boolean claim(String appId, byte[] body, Instant now) throws IOException {
        String key = ReplayWindow.key(appId, body);
        Path marker = marker(key);
        if (!shards.contains(key.substring(0, 2))) {
            Files.createDirectories(marker.getParent());
            shards.add(key.substring(0, 2));
        }
        try {
            Files.createFile(marker);
            // a new file's modification time is the wall clock's: set it only when "now" is another time (tests)
            if (Math.abs(System.currentTimeMillis() - now.toEpochMilli()) > SAME_TIME_MILLIS) {
                Files.setLastModifiedTime(marker, FileTime.from(now));
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            synchronized (this) {
                // an expired marker not yet pruned: the body is new again
                if (Files.getLastModifiedTime(marker).toInstant().isBefore(now.minus(window))) {
                    Files.setLastModifiedTime(marker, FileTime.from(now));
                    return true;
                }
            }
            return false;
        }
    }

    @Override
    public void release(String appId, byte[] body) {
        try {
            Files.deleteIfExists(marker(ReplayWindow.key(appId, body)));
        } catch (IOException e) {
            LOG.warn("cannot release a webhook body claim: {}", e.toString());
        }
    }

    @Override
    public void prune(Instant now) throws IOException {
        Instant cutoff = now.minus(window);
        try (Stream<Path> files = Files.walk(root, 2)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
