package dev.atlas.webhooks;

import dev.atlas.core.outbox.ReplayWindow;
import dev.atlas.core.outbox.SeenTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The replay window of the file spool, on disk beside it: {@code <spoolDir>/bodies/claims.table}, a memory-mapped
 * table of the bodies accepted per app and when ({@link SeenTable}: 24 bytes per body, no file per body, no system
 * call per claim). A claim is atomic, so two identical bodies at once yield one claim; claims survive a restart of
 * Atlas. The table's pages are written back by the kernel, not synced: after a machine crash a body accepted in the
 * last moments may be accepted once more (the cloud still de-duplicates by {@code webhook-id}).
 */
public final class FileReplayWindow implements ReplayWindow, AutoCloseable {
    private final SeenTable claims;
    private final Duration window;

    public FileReplayWindow(Path root, Duration window) throws IOException {
        this.claims = SeenTable.open(Files.createDirectories(root).resolve("claims.table"));
        this.window = window;
    }

    /** The table key of a body: the first 16 bytes of {@link ReplayWindow#key}. */
    private static byte[] key(String appId, byte[] body) {
        return HexFormat.of().parseHex(ReplayWindow.key(appId, body), 0, 32);
    }

    @Override
    public boolean claim(String appId, byte[] body, Instant now) throws IOException {
        return claims.claim(key(appId, body), now, now.minus(window));
    }

    @Override
    public void release(String appId, byte[] body) {
        claims.forget(key(appId, body));
    }

    @Override
    public void prune(Instant now) {
        claims.expireBefore(now.minus(window));
    }

    @Override
    public void close() {
        claims.close();
    }
}
