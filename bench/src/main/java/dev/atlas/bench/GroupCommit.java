package dev.atlas.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The durable baselines' disk write: one writer thread takes every body waiting, writes them with one gathering write
 * into a preallocated file (so that a sync need not write the file's size) and syncs them with one {@code fdatasync},
 * then tells each submitter: the group commit of Atlas's spool journal without its record format, checksums or index.
 * The file is reused from its start when full (nothing is ever read back).
 */
public final class GroupCommit {
    private static final long FILE_BYTES = 64L * 1024 * 1024;

    private record Waiting(byte[] body, Runnable synced, Consumer<IOException> failed) {
    }

    private final BlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final FileChannel file;
    private long position;

    private GroupCommit(FileChannel file) {
        this.file = file;
    }

    /** Preallocates {@code path} and starts the writer thread. */
    public static GroupCommit start(Path path) throws IOException {
        GroupCommit commit = new GroupCommit(preallocated(path));
        Thread writer = new Thread(commit::write, "group-commit-writer");
        writer.setDaemon(true);
        writer.start();
        return commit;
    }

    /** Writes {@code body}; {@code synced} runs on the writer thread once it is on disk, {@code failed} if not. */
    public void submit(byte[] body, Runnable synced, Consumer<IOException> failed) {
        queue.add(new Waiting(body, synced, failed));
    }

    private static FileChannel preallocated(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        zeroFill(channel, FILE_BYTES);
        return channel;
    }

    /**
     * Writes zeros over the first {@code bytes} of {@code channel} (rounded up to a MiB) and syncs them with the
     * file's size, so that a later sync of data written there need not write the size too.
     */
    static void zeroFill(FileChannel channel, long bytes) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(1024 * 1024);
        for (long at = 0; at < bytes; at += zeros.capacity()) {
            zeros.clear();
            channel.write(zeros, at);
        }
        channel.force(true);
    }

    private void write() {
        List<Waiting> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch);
                ByteBuffer[] buffers = new ByteBuffer[batch.size()];
                long bytes = 0;
                for (int i = 0; i < buffers.length; i++) {
                    buffers[i] = ByteBuffer.wrap(batch.get(i).body());
                    bytes += buffers[i].remaining();
                }
                if (position + bytes > FILE_BYTES) {
                    position = 0;
                }
                file.position(position);
                long written = 0;
                while (written < bytes) {
                    written += file.write(buffers);
                }
                position += bytes;
                file.force(false);
                batch.forEach(w -> w.synced().run());
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                batch.forEach(w -> w.failed().accept(e));
            }
            batch.clear();
        }
    }
}
