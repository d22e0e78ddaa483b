package dev.atlas.core.outbox;

import dev.atlas.core.http.UniqueIds;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file spool under {@code webhooks.spoolDir}. Layout:
 * <ul>
 *   <li>{@code journal/}: the {@link SpoolJournal}, which holds every pending webhook (a JSON line of metadata, then
 *   the raw body), its attempts so far, and each delivery; an acceptance's only write, group-committed;</li>
 *   <li>{@code delivered.table}: the delivery keys delivered within {@code maxAge}, for de-duplication
 *   ({@link SeenTable}, memory-mapped);</li>
 *   <li>{@code dead/<key>.wh} and {@code dead/<key>.state}: dead letters, with the reason in the state, written and
 *   synced file by file;</li>
 *   <li>{@code pending/<key>.wh} (and {@code .state}): webhooks handed in from outside the process:
 *   {@code atlas webhooks replay} moves dead letters there without the owner's lock, and the owner takes them into its
 *   journal at its next scan (within seconds) and deletes the files.</li>
 * </ul>
 * {@link #accept} returns once the webhook's journal record is synced together with every acceptance waiting at that
 * moment; a delivery, a retry's attempt count and a dead letter's leaving are journal records written with the next
 * batch, not waited for (a power cut may cost one more attempt; the cloud de-duplicates by {@code webhook-id}). One
 * Atlas process owns a spool folder (a lock file keeps a second one out).
 */
public final class FileWebhookSpool implements WebhookSpool {
    private static final Logger LOG = LoggerFactory.getLogger(FileWebhookSpool.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEBHOOK = ".wh";
    private static final String STATE = ".state";

    private final Path pending;
    private final Path dead;
    private final Path tmp;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /**
     * Pending webhooks by key: only when each is due and how its attempts went; the webhook itself is in the journal
     * (and, when recent, in {@link #recent}). A webhook not attempted yet is {@link #FRESH} and waits in
     * {@link #arrivals}: its key is a slot of arrays of numbers ({@link PendingKeys}), as in the journal, so that a
     * backlog costs the heap no object per webhook (~0.3 KB of arrays with the journal's and the arrivals'), which
     * keeps the serial collector's collections as short as without a backlog.
     */
    private final Index index = new Index();
    private final Set<String> handedOut = ConcurrentHashMap.newKeySet();
    /** Keys not attempted yet, oldest first; an entry whose key is no longer {@link #FRESH} is skipped when met. */
    private final ArrivalQueue arrivals = new ArrivalQueue();
    /** Keys due again after a failed attempt (or a replay), by when; entries no longer pending are skipped when met. */
    private final java.util.concurrent.ConcurrentSkipListSet<Due> queue = new java.util.concurrent.ConcurrentSkipListSet<>();
    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Recent acceptances, whole, so that a delivery need not read back what was just written; bounded in bytes, and
     * only kept while the backlog ahead of them would fit ({@link #cacheRecent}).
     */
    private final Map<String, SpooledWebhook> recent = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong cachedBytes = new java.util.concurrent.atomic.AtomicLong();
    static final long CACHE_BYTES = 32L * 1024 * 1024;
    private final long maxCachedBytes;
    /** Keys of the dead letters (a repeat of one is a duplicate). */
    private final Set<String> deadKeys = ConcurrentHashMap.newKeySet();
    private final Path journalDir;
    private SpoolJournal journal;
    private SeenTable delivered;
    /** Deliveries before this no longer make a repeat a duplicate ({@link #prune}: {@code maxAge}). */
    private volatile Instant deliveredSince = Instant.EPOCH;
    /**
     * False once the readiness probe ({@link #writable}: a file under {@code tmp/} and an empty journal record synced)
     * failed or a journal write failed: acceptances are then refused (503) instead of queued for a journal that
     * cannot take them, until a probe succeeds again.
     */
    private volatile boolean storable = true;

    /** What the index keeps of a pending webhook. */
    private record Pending(Instant nextAttemptAt, int attempts, Optional<String> lastError) {
        /** {@link #FRESH} for a webhook never attempted (its next attempt due when it arrived), else its attempt state. */
        static Pending of(SpooledWebhook w) {
            return isFresh(w) ? FRESH : new Pending(w.nextAttemptAt(), w.attempts(), w.lastError());
        }
    }

    /** The index's value for every webhook not attempted yet: due at once, in {@link #arrivals}. */
    private static final Pending FRESH = new Pending(Instant.EPOCH, 0, Optional.empty());

    /**
     * The index: every pending key in a {@link PendingKeys} table, and the attempt state of those that have one (a
     * retry, a few among many) in a map beside it; the two change together under the index's lock (the table's monitor,
     * which the table's own methods do not take: they lock a segment).
     */
    private static final class Index {
        private static final long NEW = 0;
        private static final long ATTEMPTED = 1;
        private final PendingKeys keys = new PendingKeys();
        private final Map<String, Pending> attempted = new ConcurrentHashMap<>();

        /** Adds {@code key} unless it is pending; returns what it held, or null when it was added. */
        Pending putIfAbsent(String key, Pending value) {
            synchronized (keys) {
                if (!keys.putIfAbsent(key, value == FRESH ? NEW : ATTEMPTED, 0)) {
                    return get(key);
                }
                if (value != FRESH) {
                    attempted.put(key, value);
                }
                return null;
            }
        }

        void put(String key, Pending value) {
            synchronized (keys) {
                if (value == FRESH) {
                    attempted.remove(key);
                    keys.put(key, NEW, 0);
                } else {
                    attempted.put(key, value);
                    keys.put(key, ATTEMPTED, 0);
                }
            }
        }

        /** What is held for {@code key}: {@link #FRESH}, its attempt state, or null when it is not pending. */
        Pending get(String key) {
            synchronized (keys) {
                long kind = keys.first(key);
                return kind == PendingKeys.MISSING ? null : kind == NEW ? FRESH : attempted.get(key);
            }
        }

        boolean containsKey(String key) {
            return keys.contains(key);
        }

        void remove(String key) {
            synchronized (keys) {
                keys.remove(key);
                attempted.remove(key);
            }
        }

        int size() {
            return keys.size();
        }
    }

    private static boolean isFresh(SpooledWebhook w) {
        return w.attempts() == 0 && w.lastError().isEmpty() && w.nextAttemptAt().equals(w.receivedAt());
    }

    /** What a cached webhook is taken to cost: its body and about this much besides (strings, header map). */
    private static final int ENTRY_BYTES = 1024;

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

    /** Queues a pending webhook for delivery: with the arrivals when never attempted, else by when it is due. */
    private void schedule(SpooledWebhook w) {
        if (isFresh(w)) {
            arrivals.add(w.key(), w.receivedAt().toEpochMilli());
        } else {
            schedule(w.key(), w.nextAttemptAt());
        }
    }

    private FileWebhookSpool(Path root, FileChannel lockChannel, FileLock lock, long maxCachedBytes)
        throws IOException {
        this.maxCachedBytes = maxCachedBytes;
        this.pending = Files.createDirectories(root.resolve("pending"));
        this.dead = Files.createDirectories(root.resolve("dead"));
        this.tmp = Files.createDirectories(root.resolve("tmp"));
        this.journalDir = root.resolve("journal");
        this.lockChannel = lockChannel;
        this.lock = lock;
        try (Stream<Path> files = Files.list(dead)) {
            files.filter(f -> f.getFileName().toString().endsWith(WEBHOOK)).forEach(f -> deadKeys.add(keyOf(f)));
        }
    }

    /** Opens the spool for delivery: takes the lock and loads every pending webhook left by an earlier run. */
    public static FileWebhookSpool open(Path root) throws IOException {
        return open(root, SpoolJournal.SEGMENT_BYTES);
    }

    /** {@link #open(Path)} with journal segments of {@code segmentBytes} (tests use small ones). */
    static FileWebhookSpool open(Path root, int segmentBytes) throws IOException {
        return open(root, segmentBytes, CACHE_BYTES);
    }

    /** {@link #open(Path, int)} with a cache of recent acceptances of {@code cacheBytes} (tests use small ones). */
    static FileWebhookSpool open(Path root, int segmentBytes, long cacheBytes) throws IOException {
        Files.createDirectories(root);
        FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IOException("spool " + root + " is in use by another Atlas process");
        }
        FileWebhookSpool spool = new FileWebhookSpool(root, channel, lock, cacheBytes);
        spool.cleanTmp();
        spool.delivered = SeenTable.open(root.resolve("delivered.table"));
        spool.journal = SpoolJournal.open(spool.journalDir, segmentBytes);
        spool.load(spool.journal.takeRecovered());
        spool.takeIn();
        return spool;
    }

    /** Opens the spool for the CLI (listing and replay), without the owner's lock: reads the journal as it is. */
    public static FileWebhookSpool openForTools(Path root) throws IOException {
        FileWebhookSpool spool = new FileWebhookSpool(root, null, null, CACHE_BYTES);
        spool.load(SpoolJournal.recover(spool.journalDir));
        return spool;
    }

    /** Indexes the pending webhooks the journal held at start. */
    private void load(SpoolJournal.Recovered recovered) throws IOException {
        if (delivered != null) {
            recovered.delivered().forEach((key, at) -> {
                try {
                    delivered.put(SeenTable.digest(key), Instant.ofEpochMilli(at));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        int restored = 0;
        for (Map.Entry<String, byte[]> entry : recovered.pending().entrySet()) {
            String key = entry.getKey();
            if (deadKeys.contains(key)) {
                if (journal != null) {
                    journal.dead(key); // dead-lettered just before a crash wrote that down
                }
                continue;
            }
            try {
                SpooledWebhook header = parse(entry.getValue(), recovered.states().get(key), false);
                index.put(key, Pending.of(header));
                schedule(header);
                restored++;
            } catch (IOException | RuntimeException e) {
                LOG.warn("spooled webhook {} is unreadable and stays in the journal: {}", key, e.toString());
            }
        }
        if (restored > 0 && journal != null) {
            LOG.info("{} spooled webhooks pending from an earlier run", restored);
        }
    }

    private void cleanTmp() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * Takes in the webhooks handed in as files under {@code pending/} (replayed dead letters): each is recorded in the
     * journal, synced, and its files deleted. The CLI's view (no journal) only indexes them.
     */
    public void rescan() throws IOException {
        if (journal != null) {
            writable(); // refreshes whether acceptances are taken
        }
        takeIn();
    }

    private void takeIn() throws IOException {
        List<Path> handedIn;
        try (Stream<Path> files = Files.list(pending)) {
            handedIn = files.filter(f -> f.getFileName().toString().endsWith(WEBHOOK)).toList();
        }
        for (Path file : handedIn) {
            String key = keyOf(file);
            try {
                if (journal != null && index.containsKey(key)) {
                    deleteHandedIn(key); // taken in already; a crash came before the files were deleted
                    continue;
                }
                if (index.containsKey(key)) {
                    continue;
                }
                byte[] content = Files.readAllBytes(file);
                byte[] state = readState(pending.resolve(key + STATE)).map(FileWebhookSpool::bytes).orElse(null);
                SpooledWebhook header = parse(content, state, false);
                if (journal != null) {
                    journal.accept(key, content).get(30, java.util.concurrent.TimeUnit.SECONDS);
                    if (state != null) {
                        journal.state(key, state);
                    }
                    deleteHandedIn(key);
                    deadKeys.remove(key);
                }
                index.put(key, Pending.of(header));
                schedule(header);
            } catch (NoSuchFileException e) {
                // taken since the folder was listed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
                LOG.warn("spool entry {} is unreadable and stays on disk: {}", key, e.toString());
            }
        }
    }

    private void deleteHandedIn(String key) throws IOException {
        Files.deleteIfExists(pending.resolve(key + STATE));
        Files.deleteIfExists(pending.resolve(key + WEBHOOK));
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
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
     * Checks for a duplicate in memory and hands the webhook to the journal; completes, on the journal's writer
     * thread, once its record is synced with its batch: continue elsewhere (the writer's next sync waits for what runs
     * there). Makes no system call on the calling thread.
     */
    @Override
    public java.util.concurrent.CompletionStage<Acceptance> acceptAsync(SpooledWebhook webhook) {
        String key = webhook.key();
        // reserve the key (no lock): a concurrent duplicate answers DUPLICATE while this one is being written
        if (index.putIfAbsent(key, Pending.of(webhook)) != null) {
            return java.util.concurrent.CompletableFuture.completedFuture(Acceptance.DUPLICATE);
        }
        byte[] content;
        try {
            if (journal == null) {
                throw new IOException("the spool is open for listing only");
            }
            if (!storable) {
                throw new IOException("the spool folder is not writable");
            }
            if (deadKeys.contains(key) || delivered.contains(SeenTable.digest(key), deliveredSince)) {
                index.remove(key);
                return java.util.concurrent.CompletableFuture.completedFuture(Acceptance.DUPLICATE);
            }
            content = storedContent(webhook, webhook.body());
        } catch (IOException | RuntimeException e) {
            index.remove(key);
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        return journal.accept(key, content).handle((synced, failure) -> {
            if (failure == null) {
                return spooled(webhook);
            }
            storable = false; // until the next probe finds the folder writable
            index.remove(key);
            throw new java.util.concurrent.CompletionException(failure);
        });
    }

    private Acceptance spooled(SpooledWebhook webhook) {
        cacheRecent(webhook);
        schedule(webhook);
        return Acceptance.SPOOLED;
    }

    /**
     * Keeps a just-accepted webhook whole for its delivery while there is room, unless more webhooks are pending than
     * the cache could hold: delivery goes oldest first, so behind such a backlog it would sit in the heap until the
     * backlog ahead of it is delivered (each full collection of the serial collector going through it), where a
     * delivery reads it back from the journal anyway for all those the cache had no room for.
     */
    private void cacheRecent(SpooledWebhook webhook) {
        long cost = webhook.body().length + ENTRY_BYTES;
        if ((long) index.size() * cost > maxCachedBytes) {
            return;
        }
        if (cachedBytes.addAndGet(cost) <= maxCachedBytes) {
            recent.put(webhook.key(), webhook);
        } else {
            cachedBytes.addAndGet(-cost);
        }
    }

    /** Whether a pending webhook is held whole in memory (tests). */
    boolean holdsWhole(String key) {
        return recent.containsKey(key);
    }

    private void forgetBody(String key) {
        SpooledWebhook cached = recent.remove(key);
        if (cached != null) {
            cachedBytes.addAndGet(-(cached.body().length + ENTRY_BYTES));
        }
    }

    @Override
    public void measureSyncs(dev.atlas.api.Metrics metrics, String name) {
        if (journal != null) { // a tools' view has no journal writer
            journal.observeSyncs(took -> metrics.time("spool_journal_sync", took, "spool", name));
        }
    }

    /**
     * The webhooks due at {@code now}, at most {@code limit}, earliest first: the arrivals (never attempted: due since
     * they arrived, whatever the clock says now, so that a clock stepped back holds none of them) and the retries due
     * by {@code now}, whichever came due first.
     */
    @Override
    public List<SpooledWebhook> due(Instant now, int limit) {
        List<SpooledWebhook> out = new ArrayList<>();
        while (out.size() < limit) {
            Due retry = firstRetry();
            long arrival = arrivals.firstArrival();
            String key;
            Pending meta;
            if (retry != null && !retry.at().isAfter(now) && retry.at().toEpochMilli() <= arrival) {
                if (!queue.remove(retry)) {
                    continue; // taken meanwhile
                }
                meta = index.get(retry.key());
                // delivered, rescheduled, taken in again as new, or already out: a stale entry
                if (meta == null || meta == FRESH || !meta.nextAttemptAt().equals(retry.at())) {
                    continue;
                }
                key = retry.key();
            } else if (arrival != Long.MAX_VALUE) {
                key = arrivals.poll();
                if (key == null || index.get(key) != FRESH) {
                    continue; // taken meanwhile, or no longer new (delivered, retried, dead)
                }
                meta = FRESH;
            } else {
                break;
            }
            if (!handedOut.add(key)) {
                continue;
            }
            try {
                // the index holds the attempt state; the webhook is recent (cached) or read back from the journal
                SpooledWebhook stored = recent.get(key);
                if (stored == null) {
                    stored = stored(key);
                }
                out.add(new SpooledWebhook(stored.key(), stored.id(), stored.vcs(), stored.appId(),
                    stored.receivedAt(), stored.contentType(), stored.headers(), stored.body(), meta.attempts(),
                    meta == FRESH ? stored.receivedAt() : meta.nextAttemptAt(), meta.lastError(), stored.target()));
            } catch (IOException | RuntimeException e) {
                handedOut.remove(key);
                LOG.warn("cannot read spooled webhook {}: {}", key, e.toString());
                index.put(key, new Pending(now.plusSeconds(5), meta.attempts(), meta.lastError()));
                schedule(key, now.plusSeconds(5));
            }
        }
        return out;
    }

    private Due firstRetry() {
        try {
            return queue.isEmpty() ? null : queue.first();
        } catch (java.util.NoSuchElementException e) {
            return null; // emptied meanwhile
        }
    }

    /** A pending webhook, body included, as the journal stores it. */
    private SpooledWebhook stored(String key) throws IOException {
        byte[] all = journal != null ? journal.read(key) : null;
        if (all == null) {
            throw new NoSuchFileException("webhook " + key + " is not in the journal");
        }
        return parse(all, null, true);
    }

    /** An acceptance is checked in memory and handed to the journal's writer: nothing here waits. */
    @Override
    public boolean acceptsWithoutBlocking() {
        return journal != null;
    }

    /** A delivery is recorded in memory and handed to the journal's writer: nothing here waits. */
    @Override
    public boolean recordsDeliveriesWithoutBlocking() {
        return journal != null;
    }

    /**
     * A journal record written with the next batch, not waited for: if a crash loses it, the webhook is delivered once
     * more after the restart (at least once, with the same {@code webhook-id}), which the cloud de-duplicates.
     */
    @Override
    public void delivered(SpooledWebhook webhook) throws IOException {
        String key = webhook.key();
        Instant now = Instant.now();
        delivered.put(SeenTable.digest(key), now);
        index.remove(key);
        journal.done(key, now.toEpochMilli());
        forgetBody(key);
        handedOut.remove(key);
    }

    @Override
    public void retryLater(SpooledWebhook webhook) throws IOException {
        // not waited for: losing an attempt count in a crash only means one more attempt than planned
        journal.state(webhook.key(), JSON.writeValueAsBytes(state(webhook, null)));
        index.put(webhook.key(), Pending.of(webhook));
        // no longer out before it is queued again: a delivery taking it at once (due now) must not find it still out
        // and drop its queue entry, which would leave it pending and never due
        handedOut.remove(webhook.key());
        schedule(webhook);
    }

    @Override
    public void deadLetter(SpooledWebhook webhook, String reason) throws IOException {
        String key = webhook.key();
        byte[] body = webhook.body().length > 0 || journal == null ? webhook.body() : stored(key).body();
        byte[] content = storedContent(webhook, body);
        writeAtomically(dead.resolve(key + STATE), JSON.writeValueAsBytes(state(webhook, reason)));
        writeAtomically(dead.resolve(key + WEBHOOK), content);
        deadKeys.add(key);
        journal.dead(key);
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
                    deadKeys.remove(key);
                    if (journal != null) {
                        rescan();
                    }
                    return true;
                }
            }
        }
        return false;
    }

    /** The journal (tests). */
    SpoolJournal journal() {
        return journal;
    }

    @Override
    public int depth() {
        return index.size();
    }

    @Override
    public boolean writable() {
        Path probe = tmp.resolve("probe-" + UniqueIds.next());
        try {
            Files.write(probe, new byte[] {1});
            Files.delete(probe);
            // and the journal itself: an empty record written and synced
            storable = journal == null || journal.writable(2_000);
        } catch (IOException e) {
            storable = false;
        }
        return storable;
    }

    @Override
    public void prune(Instant cutoff) {
        deliveredSince = cutoff;
        if (delivered != null) {
            delivered.expireBefore(cutoff);
        }
    }

    @Override
    public void close() {
        if (journal != null) {
            journal.close();
        }
        if (delivered != null) {
            delivered.close();
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

    /**
     * What is stored of a webhook (in the journal, or as a dead letter's file): its header line, then its body, in one
     * array of exactly that size. The header line is written into a buffer the thread keeps (a few hundred bytes; one
     * grown past {@link #KEPT_LINE_BYTES} by unusual headers is not kept), so that an acceptance allocates only the
     * stored content itself.
     */
    private static byte[] storedContent(SpooledWebhook w, byte[] body) throws IOException {
        HeaderLineBuffer line = HEADER_LINES.get();
        line.reset();
        writeHeaderLine(w, line);
        byte[] content = new byte[line.size() + 1 + body.length];
        line.copyTo(content);
        content[line.size()] = '\n';
        System.arraycopy(body, 0, content, line.size() + 1, body.length);
        if (line.capacity() > KEPT_LINE_BYTES) {
            HEADER_LINES.remove();
        }
        return content;
    }

    private static final int KEPT_LINE_BYTES = 16 * 1024;
    private static final ThreadLocal<HeaderLineBuffer> HEADER_LINES = ThreadLocal.withInitial(HeaderLineBuffer::new);

    /** A byte stream whose bytes are copied out without an intermediate array. */
    private static final class HeaderLineBuffer extends java.io.ByteArrayOutputStream {
        HeaderLineBuffer() {
            super(1024);
        }

        void copyTo(byte[] target) {
            System.arraycopy(buf, 0, target, 0, count);
        }

        int capacity() {
            return buf.length;
        }
    }

    /**
     * The header line of a stored webhook: one JSON object ({@code key}, {@code id}, {@code vcs}, {@code appId},
     * {@code receivedAt}, {@code contentType} and {@code target} when known, {@code headers}), written field by field
     * (no tree: it is written for every webhook and read back for every attempt).
     */
    private static void writeHeaderLine(SpooledWebhook w, java.io.OutputStream out) throws IOException {
        try (com.fasterxml.jackson.core.JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartObject();
            json.writeStringField("key", w.key());
            json.writeStringField("id", w.id());
            json.writeStringField("vcs", w.vcs());
            json.writeStringField("appId", w.appId());
            json.writeStringField("receivedAt", InstantText.format(w.receivedAt()));
            if (w.contentType().isPresent()) {
                json.writeStringField("contentType", w.contentType().get());
            }
            if (w.target().isPresent()) {
                json.writeStringField("target", w.target().get().toString());
            }
            json.writeObjectFieldStart("headers");
            for (Map.Entry<String, String> header : w.headers().entrySet()) {
                json.writeStringField(header.getKey(), header.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
        }
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

    /** A webhook stored as a file (a dead letter) with its state file. */
    private SpooledWebhook read(Path dir, String key, boolean withBody) throws IOException {
        byte[] state = readState(dir.resolve(key + STATE)).map(FileWebhookSpool::bytes).orElse(null);
        return parse(Files.readAllBytes(dir.resolve(key + WEBHOOK)), state, withBody);
    }

    /** A webhook from its stored content (the JSON header line, then the body) and its state, if any. */
    private static SpooledWebhook parse(byte[] content, byte[] stateBytes, boolean withBody) throws IOException {
        int newline = 0;
        while (newline < content.length && content[newline] != '\n') {
            newline++;
        }
        if (newline == content.length) {
            throw new IOException("a stored webhook without its header line");
        }
        Header h = Header.read(content, newline);
        byte[] body = withBody ? java.util.Arrays.copyOfRange(content, newline + 1, content.length) : new byte[0];
        Optional<JsonNode> state = stateBytes == null || stateBytes.length == 0 ? Optional.empty()
            : Optional.of(JSON.readTree(stateBytes));
        int attempts = state.map(s -> s.path("attempts").asInt(0)).orElse(0);
        Instant next = state.map(s -> Instant.parse(s.path("nextAttemptAt").asText())).orElse(h.receivedAt);
        Optional<String> lastError = state.map(s -> s.path("lastError").asText(null));
        return new SpooledWebhook(h.key, h.id, h.vcs, h.appId, h.receivedAt, Optional.ofNullable(h.contentType),
            h.headers, body, attempts, next, lastError, Optional.ofNullable(h.target).map(java.net.URI::create));
    }

    /** A header line read field by field; fields it does not know are skipped, a missing required one is an error. */
    private static final class Header {
        String key;
        String id;
        String vcs;
        String appId;
        Instant receivedAt;
        String contentType;
        String target;
        final Map<String, String> headers = new LinkedHashMap<>();

        static Header read(byte[] content, int length) throws IOException {
            Header h = new Header();
            try (com.fasterxml.jackson.core.JsonParser json = JSON.getFactory().createParser(content, 0, length)) {
                if (json.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    throw new IOException("a stored webhook's header line is not a JSON object");
                }
                while (json.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String field = json.currentName();
                    com.fasterxml.jackson.core.JsonToken value = json.nextToken();
                    switch (field) {
                        case "key" -> h.key = json.getValueAsString();
                        case "id" -> h.id = json.getValueAsString();
                        case "vcs" -> h.vcs = json.getValueAsString();
                        case "appId" -> h.appId = json.getValueAsString();
                        case "receivedAt" -> h.receivedAt = InstantText.parse(json.getValueAsString(""));
                        case "contentType" -> h.contentType = json.getValueAsString();
                        case "target" -> h.target = json.getValueAsString();
                        case "headers" -> {
                            if (value == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                                while (json.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                                    String name = json.currentName();
                                    json.nextToken();
                                    h.headers.put(name, json.getValueAsString(""));
                                    json.skipChildren(); // a value that is not a string (never written) reads as ""
                                }
                            } else {
                                json.skipChildren();
                            }
                        }
                        default -> json.skipChildren();
                    }
                }
            }
            if (h.key == null || h.id == null || h.vcs == null || h.appId == null || h.receivedAt == null) {
                throw new IOException("a stored webhook's header line lacks key, id, vcs, appId or receivedAt");
            }
            return h;
        }
    }

    private static Optional<JsonNode> readState(Path file) throws IOException {
        try {
            return Optional.of(JSON.readTree(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
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
