package dev.atlas.core.outbox;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file spool's write-ahead journal: group commit for acceptances. Callers hand a record to {@link #appendAsync}
 * (or block in {@link #append}) until it is synced; one writer thread takes every record waiting, writes them with
 * one gathering write and syncs the segment once for all of them, then hands the batch's acknowledgements to another
 * thread and goes on with the next batch. No caller holds a lock across the write or the sync.
 *
 * <p>Layout: {@code journal/<sequence>.log}, each record {@code [int length][int crc32][short keyLength][key][entry]}
 * where {@code entry} is exactly the content of {@code pending/<key>.wh}. A segment is retired (deleted) once the
 * spool has synced the pending files of every key it holds; at start every segment left over is replayed (a torn
 * record at a segment's end, from a crash mid-write, ends that segment's replay) and then retired.
 *
 * <p>Segments are preallocated (written with zeros and synced before use, the next one in the background while the
 * current one fills): a sync then only flushes the records' data blocks, with no file-size change for the
 * file system's own journal to commit, which halves its latency on ext4. A zero length ends a segment's replay.
 */
final class SpoolJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolJournal.class);
    private static final String SUFFIX = ".log";
    private static final int SEGMENT_BYTES = 16 * 1024 * 1024;

    /** One record waiting for the writer, and the caller waiting for its sync. */
    private record Pending(String key, ByteBuffer record, CompletableFuture<Void> synced) {
    }

    private final Path dir;
    private final Consumer<List<String>> retire;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    /**
     * Completes each synced batch's futures, so that what callers chain on them (the rest of a route, an answer)
     * never delays the writer's next write and sync.
     */
    private final java.util.concurrent.ExecutorService acknowledger = java.util.concurrent.Executors
        .newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "atlas-spool-ack");
            thread.setDaemon(true);
            return thread;
        });
    private volatile boolean closed;
    private long sequence;
    private FileChannel segment;
    private long segmentBytes;
    private List<String> segmentKeys = new ArrayList<>();
    /** The next segment, being preallocated in the background. */
    private CompletableFuture<FileChannel> spare;

    /**
     * Opens the journal in {@code dir}, which must hold no segment (replay them first with {@link #replay}).
     * {@code retire} receives the keys of a full segment; it must make their pending files durable, after which
     * the segment is deleted (on the writer thread, between batches).
     */
    SpoolJournal(Path dir, Consumer<List<String>> retire) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.retire = retire;
        // numbered from the start time, so that a new run never reuses the name of a segment a crash left behind
        this.sequence = System.currentTimeMillis() * 1000;
        openSegment();
        this.writer = new Thread(this::run, "atlas-spool-journal");
        writer.setDaemon(true);
        writer.start();
    }

    /** Appends {@code entry} (the pending file's content) for {@code key}; returns once it is synced to disk. */
    void append(String key, byte[] entry) throws IOException {
        try {
            appendAsync(key, entry).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the journal synced");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /**
     * Hands {@code entry} for {@code key} to the writer; the future completes, on the writer thread, once it is
     * synced to disk, or fails when it could not be written.
     */
    CompletableFuture<Void> appendAsync(String key, byte[] entry) {
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("the spool journal is closed"));
        }
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer record = ByteBuffer.allocate(10 + keyBytes.length + entry.length);
        record.putInt(2 + keyBytes.length + entry.length).putInt(0).putShort((short) keyBytes.length)
            .put(keyBytes).put(entry).flip();
        CRC32 crc = new CRC32();
        crc.update(record.array(), 8, record.limit() - 8);
        record.putInt(4, (int) crc.getValue());
        Pending pending = new Pending(key, record, new CompletableFuture<>());
        queue.add(pending);
        return pending.synced();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        try {
            ByteBuffer[] buffers = new ByteBuffer[batch.size()];
            long bytes = 0;
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = batch.get(i).record();
                bytes += buffers[i].remaining();
            }
            long written = 0;
            while (written < bytes) {
                written += segment.write(buffers);
            }
            segment.force(false);
            segmentBytes += bytes;
            batch.forEach(p -> segmentKeys.add(p.key()));
            acknowledge(List.copyOf(batch), null);
        } catch (IOException | RuntimeException e) {
            acknowledge(List.copyOf(batch), e);
            startOver();
            return;
        }
        if (segmentBytes >= SEGMENT_BYTES - 64 * 1024) {
            roll();
        }
    }

    private void acknowledge(List<Pending> synced, Throwable failure) {
        Runnable complete = () -> synced.forEach(p -> {
            if (failure == null) {
                p.synced().complete(null);
            } else {
                p.synced().completeExceptionally(failure);
            }
        });
        try {
            acknowledger.execute(complete);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            complete.run(); // closing: on the writer thread then
        }
    }

    private void roll() {
        FileChannel full = segment;
        long fullSequence = sequence;
        List<String> keys = segmentKeys;
        try {
            openSegment();
            full.close();
            retire.accept(keys);
            Files.deleteIfExists(segmentPath(fullSequence));
        } catch (IOException | RuntimeException e) {
            // the segment stays: it is replayed and retired at the next start
            LOG.warn("cannot retire journal segment {}: {}", fullSequence, e.toString());
        }
    }

    /**
     * After a failed write the segment may end in a torn record, which would end its replay: later records go to a
     * new segment, and the old one stays on disk until the next start replays it.
     */
    private void startOver() {
        try {
            segment.close();
            openSegment();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot start a new journal segment: {}", e.toString());
        }
    }

    private void openSegment() throws IOException {
        sequence++;
        FileChannel next = null;
        if (spare != null) {
            try {
                next = spare.join();
            } catch (java.util.concurrent.CompletionException e) {
                LOG.warn("cannot preallocate a journal segment: {}", e.getCause().toString());
            }
        }
        segment = next != null ? next : preallocate(segmentPath(sequence));
        segmentBytes = 0;
        segmentKeys = new ArrayList<>();
        Path following = segmentPath(sequence + 1);
        spare = CompletableFuture.supplyAsync(() -> {
            try {
                return preallocate(following);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, task -> {
            Thread thread = new Thread(task, "atlas-spool-journal-preallocate");
            thread.setDaemon(true);
            thread.start();
        });
    }

    /** Creates a segment of {@link #SEGMENT_BYTES} zeros, synced with its folder, positioned at its start. */
    private FileChannel preallocate(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ByteBuffer zeros = ByteBuffer.allocate(1024 * 1024);
            for (long at = 0; at < SEGMENT_BYTES; at += zeros.capacity()) {
                zeros.clear();
                while (zeros.hasRemaining()) {
                    channel.write(zeros, at + zeros.position());
                }
            }
            channel.force(true);
            channel.position(0);
            FileWebhookSpool.syncDir(dir);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    private Path segmentPath(long seq) {
        return dir.resolve(String.format("%016d%s", seq, SUFFIX));
    }

    /** Stops the writer after the records already handed over; the open segment is replayed at the next start. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(5_000);
            acknowledger.shutdown();
            acknowledger.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            segment.close();
            if (spare != null) {
                spare.thenAccept(channel -> {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        LOG.debug("cannot close the spare journal segment: {}", e.toString());
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("cannot close the spool journal: {}", e.toString());
        }
    }

    /** A record read back at start: the key and the pending file's content. */
    record Entry(String key, byte[] content) {
    }

    /** The segments left in {@code dir}, oldest first. */
    static List<Path> segments(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
    }

    /** Reads every whole record of {@code segment}; a torn or corrupt record ends the segment. */
    static List<Entry> replay(Path segment) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(segment));
        List<Entry> out = new ArrayList<>();
        while (data.remaining() >= 10) {
            int length = data.getInt();
            int crc = data.getInt();
            if (length < 2 || length > data.remaining()) {
                break;
            }
            CRC32 check = new CRC32();
            check.update(data.array(), data.position(), length);
            if ((int) check.getValue() != crc) {
                break;
            }
            int keyLength = data.getShort() & 0xffff;
            if (keyLength > length - 2) {
                break;
            }
            byte[] key = new byte[keyLength];
            data.get(key);
            byte[] content = new byte[length - 2 - keyLength];
            data.get(content);
            out.add(new Entry(new String(key, StandardCharsets.UTF_8), content));
        }
        return out;
    }
}
