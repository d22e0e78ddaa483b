package dev.atlas.core.outbox;

import dev.atlas.core.http.UniqueIds;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file spool under {@code webhooks.spoolDir}. Layout:
 * <ul>
 *   <li>{@code pending/<key>.wh}: one webhook waiting for delivery: a JSON line of metadata, then the raw body;
 *   {@code pending/<key>.state}: its attempts so far (absent before the first failure)</li>
 *   <li>{@code delivered/<key>}: an empty marker kept for de-duplication until {@code maxAge}</li>
 *   <li>{@code dead/<key>.wh} and {@code dead/<key>.state}: dead letters, with the reason in the state</li>
 * </ul>
 * Every file is written to {@code tmp/} first and renamed atomically into place, so a reader sees either the whole
 * file or none. An acceptance is made durable by group commit: its pending file is written and renamed without a
 * sync, and the same bytes are appended to the {@link SpoolJournal} ({@code journal/}), whose one writer syncs many
 * acceptances with one flush; {@link #accept} returns once its record is synced. A full journal segment is retired
 * by syncing the pending files still named in it; at start, leftover segments restore any pending file a crash
 * lost or tore. Dead letters and replays are written and synced file by file. One Atlas process owns a spool folder
 * (a lock file keeps a second one out); {@code atlas webhooks replay} moves dead letters back without the lock, and
 * the owner picks them up at its next scan.
 */
public final class FileWebhookSpool implements WebhookSpool {
    private static final Logger LOG = LoggerFactory.getLogger(FileWebhookSpool.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEBHOOK = ".wh";
    private static final String STATE = ".state";

    private final Path pending;
    private final Path delivered;
    private final Path dead;
    private final Path tmp;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Pending webhooks by key, without their bodies (which stay on disk until delivery). */
    private final Map<String, SpooledWebhook> index = new ConcurrentHashMap<>();
    private final Set<String> handedOut = ConcurrentHashMap.newKeySet();
    /** Pending keys by when they are due; entries of keys no longer pending are skipped when met. */
    private final java.util.concurrent.ConcurrentSkipListSet<Due> queue = new java.util.concurrent.ConcurrentSkipListSet<>();
    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();
    /** Bodies of recent acceptances, so that a delivery need not read back what was just written; bounded in bytes. */
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong cachedBytes = new java.util.concurrent.atomic.AtomicLong();
    private static final long MAX_CACHED_BYTES = 32L * 1024 * 1024;
    private final Path journalDir;
    private SpoolJournal journal;

    /** A pending key and when it is due; the sequence keeps equal times apart, oldest first. */
    private record Due(Instant at, long seq, String key) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int byTime = at.compareTo(other.at);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }

    private void schedule(String key, Instant at) {
        queue.add(new Due(at, sequence.incrementAndGet(), key));
    }

    private FileWebhookSpool(Path root, FileChannel lockChannel, FileLock lock) throws IOException {
        this.pending = Files.createDirectories(root.resolve("pending"));
        this.delivered = Files.createDirectories(root.resolve("delivered"));
        this.dead = Files.createDirectories(root.resolve("dead"));
        this.tmp = Files.createDirectories(root.resolve("tmp"));
        this.journalDir = root.resolve("journal");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens the spool for delivery: takes the lock and loads every pending webhook left by an earlier run. */
    public static FileWebhookSpool open(Path root) throws IOException {
        Files.createDirectories(root);
        FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IOException("spool " + root + " is in use by another Atlas process");
        }
        FileWebhookSpool spool = new FileWebhookSpool(root, channel, lock);
        spool.cleanTmp();
        spool.recoverJournal();
        spool.rescan();
        spool.journal = new SpoolJournal(spool.journalDir, spool::makeDurable);
        return spool;
    }

    /** Opens the spool for the CLI (listing and replay), without the owner's lock. */
    public static FileWebhookSpool openForTools(Path root) throws IOException {
        return new FileWebhookSpool(root, null, null);
    }

    private void cleanTmp() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * Restores from the journal segments a crash left behind every acknowledged webhook whose pending file is missing
     * or torn (unless it was delivered or dead-lettered since), syncs the pending files they name, then deletes them.
     */
    private void recoverJournal() throws IOException {
        List<Path> segments = SpoolJournal.segments(journalDir);
        if (segments.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>();
        int restored = 0;
        for (Path segment : segments) {
            for (SpoolJournal.Entry entry : SpoolJournal.replay(segment)) {
                String key = entry.key();
                Path file = pending.resolve(key + WEBHOOK);
                if (Files.exists(delivered.resolve(key)) || Files.exists(dead.resolve(key + WEBHOOK))) {
                    continue;
                }
                if (!Files.exists(file) || !java.util.Arrays.equals(Files.readAllBytes(file), entry.content())) {
                    writeAtomically(file, entry.content(), false);
                    restored++;
                }
                keys.add(key);
            }
        }
        makeDurable(keys);
        for (Path segment : segments) {
            Files.delete(segment);
        }
        syncDir(journalDir);
        if (restored > 0) {
            LOG.warn("restored {} spooled webhooks from the journal", restored);
        }
    }

    /** Syncs the pending files of {@code keys} that are still pending, then the pending folder. */
    private void makeDurable(List<String> keys) {
        try {
            for (String key : keys) {
                try (FileChannel channel = FileChannel.open(pending.resolve(key + WEBHOOK), StandardOpenOption.READ)) {
                    channel.force(true);
                } catch (NoSuchFileException e) {
                    // delivered or dead-lettered since
                }
            }
            syncDir(pending);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Loads pending webhooks not yet known (at start, and to pick up replays made by the CLI). */
    public void rescan() throws IOException {
        try (Stream<Path> files = Files.list(pending)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(WEBHOOK)).toList()) {
                String key = keyOf(file);
                if (!index.containsKey(key)) {
                    try {
                        SpooledWebhook header = read(pending, key, false);
                        index.put(key, header);
                        schedule(key, header.nextAttemptAt());
                    } catch (NoSuchFileException e) {
                        // delivered or dead-lettered since the folder was listed
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("spool entry {} is unreadable and stays on disk: {}", key, e.toString());
                    }
                }
            }
        }
    }

    @Override
    public Acceptance accept(SpooledWebhook webhook) throws IOException {
        try {
            return acceptAsync(webhook).toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the webhook was spooled");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c ? c.getCause()
                : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        }
    }

    /**
     * Checks for a duplicate and writes the pending file on the calling thread (no sync), then completes, on the
     * journal's writer thread, once the journal record is synced with its batch.
     */
    @Override
    public java.util.concurrent.CompletionStage<Acceptance> acceptAsync(SpooledWebhook webhook) {
        String key = webhook.key();
        // reserve the key (no lock): a concurrent duplicate answers DUPLICATE while this one is being written
        if (index.putIfAbsent(key, withoutBody(webhook)) != null) {
            return java.util.concurrent.CompletableFuture.completedFuture(Acceptance.DUPLICATE);
        }
        Path file = pending.resolve(key + WEBHOOK);
        byte[] content;
        try {
            if (Files.exists(delivered.resolve(key)) || Files.exists(dead.resolve(key + WEBHOOK))
                || Files.exists(file)) {
                index.remove(key);
                return java.util.concurrent.CompletableFuture.completedFuture(Acceptance.DUPLICATE);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(webhook.body().length + 512);
            out.write(JSON.writeValueAsBytes(header(webhook)));
            out.write('\n');
            out.write(webhook.body());
            content = out.toByteArray();
            if (journal == null) {
                writeAtomically(file, content);
                return java.util.concurrent.CompletableFuture.completedFuture(spooled(webhook));
            }
            // the pending file is not synced: the journal record, synced with its batch, is the durable copy
            writeAtomically(file, content, false);
        } catch (IOException | RuntimeException e) {
            index.remove(key);
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        return journal.appendAsync(key, content).handle((synced, failure) -> {
            if (failure == null) {
                return spooled(webhook);
            }
            try {
                Files.deleteIfExists(file); // before the key is released, so that no rescan picks the file up
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            index.remove(key);
            throw new java.util.concurrent.CompletionException(failure);
        });
    }

    private Acceptance spooled(SpooledWebhook webhook) {
        cacheBody(webhook.key(), webhook.body());
        schedule(webhook.key(), webhook.nextAttemptAt());
        return Acceptance.SPOOLED;
    }

    private void cacheBody(String key, byte[] body) {
        if (cachedBytes.addAndGet(body.length) <= MAX_CACHED_BYTES) {
            bodies.put(key, body);
        } else {
            cachedBytes.addAndGet(-body.length);
        }
    }

    private void forgetBody(String key) {
        byte[] body = bodies.remove(key);
        if (body != null) {
            cachedBytes.addAndGet(-body.length);
        }
    }

    @Override
    public List<SpooledWebhook> due(Instant now, int limit) {
        List<SpooledWebhook> out = new ArrayList<>();
        while (out.size() < limit) {
            Due head = queue.pollFirst();
            if (head == null) {
                break;
            }
            if (head.at().isAfter(now)) {
                queue.add(head);
                break;
            }
            SpooledWebhook meta = index.get(head.key());
            if (meta == null || !meta.nextAttemptAt().equals(head.at()) || !handedOut.add(head.key())) {
                continue; // delivered, rescheduled or already out: a stale entry
            }
            try {
                // the index holds the header and the attempt state: only the body may need the disk
                byte[] body = bodies.get(head.key());
                out.add(withBody(meta, body != null ? body : readBody(pending.resolve(head.key() + WEBHOOK))));
            } catch (IOException e) {
                handedOut.remove(head.key());
                LOG.warn("cannot read spooled webhook {}: {}", meta.id(), e.toString());
                schedule(head.key(), now.plusSeconds(5));
                index.put(head.key(), rescheduled(meta, now.plusSeconds(5)));
            }
        }
        return out;
    }

    private static SpooledWebhook withBody(SpooledWebhook w, byte[] body) {
        return new SpooledWebhook(w.key(), w.id(), w.vcs(), w.appId(), w.receivedAt(), w.contentType(), w.headers(),
            body, w.attempts(), w.nextAttemptAt(), w.lastError(), w.target());
    }

    /** The body of a spooled webhook file: everything after the header line. */
    private static byte[] readBody(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int newline = 0;
        while (newline < all.length && all[newline] != '\n') {
            newline++;
        }
        return java.util.Arrays.copyOfRange(all, Math.min(newline + 1, all.length), all.length);
    }

    private static SpooledWebhook rescheduled(SpooledWebhook w, Instant at) {
        return new SpooledWebhook(w.key(), w.id(), w.vcs(), w.appId(), w.receivedAt(), w.contentType(), w.headers(),
            new byte[0], w.attempts(), at, w.lastError(), w.target());
    }

    /**
     * Not synced on purpose: if a crash loses this marker or the deletion, the webhook is delivered once more after
     * the restart (at least once, with the same {@code webhook-id}), which the cloud de-duplicates; syncing here would
     * cost every delivery three disk flushes.
     */
    @Override
    public void delivered(SpooledWebhook webhook) throws IOException {
        String key = webhook.key();
        try {
            Files.createFile(delivered.resolve(key));
        } catch (FileAlreadyExistsException e) {
            // a replayed webhook delivered again
        }
        Files.deleteIfExists(pending.resolve(key + STATE));
        Files.deleteIfExists(pending.resolve(key + WEBHOOK));
        index.remove(key);
        forgetBody(key);
        handedOut.remove(key);
    }

    @Override
    public void retryLater(SpooledWebhook webhook) throws IOException {
        // not synced: losing an attempt count in a crash only means one more attempt than planned
        writeAtomically(pending.resolve(webhook.key() + STATE), JSON.writeValueAsBytes(state(webhook, null)), false);
        index.put(webhook.key(), withoutBody(webhook));
        schedule(webhook.key(), webhook.nextAttemptAt());
        handedOut.remove(webhook.key());
    }

    @Override
    public void deadLetter(SpooledWebhook webhook, String reason) throws IOException {
        String key = webhook.key();
        writeAtomically(dead.resolve(key + STATE), JSON.writeValueAsBytes(state(webhook, reason)));
        makeDurable(List.of(key)); // accepted files are synced lazily (see the journal): this one leaves its reach
        move(pending.resolve(key + WEBHOOK), dead.resolve(key + WEBHOOK));
        Files.deleteIfExists(pending.resolve(key + STATE));
        syncDir(pending);
        syncDir(dead);
        index.remove(key);
        forgetBody(key);
        handedOut.remove(key);
    }

    @Override
    public List<DeadLetter> deadLetters() throws IOException {
        List<DeadLetter> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dead)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(WEBHOOK)).toList()) {
                String key = keyOf(file);
                SpooledWebhook header = read(dead, key, false);
                String reason = readState(dead.resolve(key + STATE)).map(s -> s.path("deadReason").asText(""))
                    .orElse("");
                out.add(new DeadLetter(header.id(), header.vcs(), header.appId(), header.receivedAt(),
                    header.attempts(), reason));
            }
        }
        out.sort(Comparator.comparing(DeadLetter::receivedAt));
        return out;
    }

    @Override
    public boolean replay(String id, Instant now) throws IOException {
        try (Stream<Path> files = Files.list(dead)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(WEBHOOK)).toList()) {
                String key = keyOf(file);
                SpooledWebhook header = read(dead, key, false);
                if (header.id().equals(id)) {
                    SpooledWebhook replayed = header.replayed(now);
                    writeAtomically(pending.resolve(key + STATE), JSON.writeValueAsBytes(state(replayed, null)));
                    move(file, pending.resolve(key + WEBHOOK));
                    Files.deleteIfExists(dead.resolve(key + STATE));
                    syncDir(dead);
                    if (lock != null) {
                        index.put(key, replayed);
                        schedule(key, replayed.nextAttemptAt());
                    }
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public int depth() {
        return index.size();
    }

    @Override
    public boolean writable() {
        Path probe = tmp.resolve("probe-" + UUID.randomUUID());
        try {
            Files.write(probe, new byte[] {1});
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void prune(Instant cutoff) throws IOException {
        FileTime limit = FileTime.from(cutoff);
        try (Stream<Path> files = Files.list(delivered)) {
            for (Path file : files.toList()) {
                if (Files.getLastModifiedTime(file).compareTo(limit) < 0) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    @Override
    public void close() {
        if (journal != null) {
            journal.close();
        }
        try {
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.warn("cannot release the spool lock: {}", e.toString());
        }
    }

    private static String keyOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - WEBHOOK.length());
    }

    private static ObjectNode header(SpooledWebhook w) {
        ObjectNode node = JSON.createObjectNode();
        node.put("key", w.key());
        node.put("id", w.id());
        node.put("vcs", w.vcs());
        node.put("appId", w.appId());
        node.put("receivedAt", w.receivedAt().toString());
        w.contentType().ifPresent(c -> node.put("contentType", c));
        w.target().ifPresent(t -> node.put("target", t.toString()));
        ObjectNode headers = node.putObject("headers");
        w.headers().forEach(headers::put);
        return node;
    }

    private static ObjectNode state(SpooledWebhook w, String deadReason) {
        ObjectNode node = JSON.createObjectNode();
        node.put("attempts", w.attempts());
        node.put("nextAttemptAt", w.nextAttemptAt().toString());
        w.lastError().ifPresent(e -> node.put("lastError", e));
        if (deadReason != null) {
            node.put("deadReason", deadReason);
        }
        return node;
    }

    private SpooledWebhook read(Path dir, String key, boolean withBody) throws IOException {
        byte[] headerLine;
        byte[] body = new byte[0];
        try (InputStream in = Files.newInputStream(dir.resolve(key + WEBHOOK))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.write(b);
            }
            headerLine = line.toByteArray();
            if (withBody) {
                body = in.readAllBytes();
            }
        }
        JsonNode h = JSON.readTree(headerLine);
        Map<String, String> headers = new LinkedHashMap<>();
        h.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        Instant received = Instant.parse(h.get("receivedAt").asText());
        Optional<JsonNode> state = readState(dir.resolve(key + STATE));
        int attempts = state.map(s -> s.path("attempts").asInt(0)).orElse(0);
        Instant next = state.map(s -> Instant.parse(s.path("nextAttemptAt").asText())).orElse(received);
        Optional<String> lastError = state.map(s -> s.path("lastError").asText(null));
        return new SpooledWebhook(h.get("key").asText(), h.get("id").asText(), h.get("vcs").asText(),
            h.get("appId").asText(), received, Optional.ofNullable(h.path("contentType").asText(null)), headers, body,
            attempts, next, lastError, Optional.ofNullable(h.path("target").asText(null)).map(java.net.URI::create));
    }

    private static Optional<JsonNode> readState(Path file) throws IOException {
        try {
            return Optional.of(JSON.readTree(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static SpooledWebhook withoutBody(SpooledWebhook w) {
        return rescheduled(w, w.nextAttemptAt());
    }

    private void writeAtomically(Path target, byte[] content) throws IOException {
        writeAtomically(target, content, true);
    }

    /** Writes via {@code tmp/} and a rename; {@code durable} also syncs the file and its folder. */
    private void writeAtomically(Path target, byte[] content, boolean durable) throws IOException {
        Path temp = tmp.resolve(target.getFileName() + "." + UniqueIds.next());
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (durable) {
                channel.force(true);
            }
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        move(temp, target);
        if (durable) {
            syncDir(target.getParent());
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            throw new IOException("cannot move " + from.getFileName() + " into place atomically", e);
        }
    }

    /** Syncs a folder so that a rename in it survives a crash. */
    static void syncDir(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
