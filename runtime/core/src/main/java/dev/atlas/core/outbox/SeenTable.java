package dev.atlas.core.outbox;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the file spool has seen and when, for de-duplication over long windows (delivery ids within
 * {@code webhooks.maxAge}, bodies within {@code webhooks.replayWindow}) without a file per entry: one memory-mapped
 * open-addressing hash table per purpose. A slot is the first 16 bytes of the SHA-256 of the entry's name and the
 * time it was seen (epoch milliseconds; 0 marks a slot never used, 1 a forgotten entry). Lookups and inserts touch
 * one or a few cached pages and make no system call; the kernel writes the pages back on its own schedule, so after a
 * machine crash the last moments' entries may be missing (an entry then counts once more; the cloud still
 * de-duplicates by {@code webhook-id}). A process crash loses nothing: the pages belong to the kernel.
 *
 * <p>It starts with 65,536 slots (1.5 MiB). When three quarters of the slots were ever used, the table is rebuilt
 * beside itself without the entries older than the last {@link #expireBefore} cutoff, at a size that leaves it at
 * most a quarter full, and renamed into place. The rebuild copies on a thread of its own while the table goes on
 * answering from the old slots (a day of deliveries at 36 a second took 1.3 s to copy, which every acceptance on the
 * event loops would otherwise have waited for); what changes meanwhile is noted and applied to the new slots before
 * they take over. Only a table that reaches fifteen sixteenths before its rebuild is done waits for it. Thread-safe:
 * every operation holds the table's lock for a few hundred nanoseconds.
 */
public final class SeenTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SeenTable.class);
    private static final int MAGIC = 0x41534e31; // "ASN1"
    private static final int HEADER = 16;
    private static final int SLOT = 24;
    private static final int MIN_CAPACITY = 1 << 16;
    private static final long FORGOTTEN = 1;

    private final Path file;
    private final Executor rebuilder;
    private Slots slots;
    private long cutoff = Long.MIN_VALUE;
    /** While a rebuild copies: the keys changed since it began, with their new times (FORGOTTEN for a forget). */
    private List<Change> changes;
    /** After a failed rebuild, how many slots must be in use before the next is tried. */
    private int retryRebuildAt;

    private record Change(byte[] key, long seen) {
    }

    private SeenTable(Path file, Executor rebuilder) {
        this.file = file;
        this.rebuilder = rebuilder;
    }

    /** Opens the table in {@code file}, creating it when absent or unreadable (a torn header starts it empty). */
    public static SeenTable open(Path file) throws IOException {
        return open(file, task -> {
            Thread thread = new Thread(task, "atlas-seen-table-rebuild");
            thread.setDaemon(true);
            thread.start();
        });
    }

    /** As {@link #open(Path)}, with the rebuild's copy run by {@code rebuilder} (tests run it when they choose). */
    static SeenTable open(Path file, Executor rebuilder) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SeenTable table = new SeenTable(file, rebuilder);
        table.slots = Slots.load(file);
        if (table.slots == null) {
            table.slots = Slots.create(file, MIN_CAPACITY);
        }
        return table;
    }

    /** The 16 bytes of a name that the table keys on: the start of its SHA-256. */
    public static byte[] digest(String name) {
        byte[] full = SHA_256.get().digest(name.getBytes(StandardCharsets.UTF_8));
        return java.util.Arrays.copyOf(full, 16);
    }

    /**
     * One SHA-256 per thread ({@code digest} resets it): {@code MessageDigest.getInstance} looks the algorithm up in
     * the security providers each time, and {@link #digest} runs for every webhook accepted.
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /**
     * Records {@code key} as seen at {@code now} unless it was seen at or after {@code notBefore}; true when it was
     * recorded (new, forgotten or older than {@code notBefore}). Of two claims of one key at once exactly one wins.
     */
    public synchronized boolean claim(byte[] key, Instant now, Instant notBefore) throws IOException {
        makeRoom();
        int slot = slots.find(key);
        if (slot >= 0) {
            long seen = slots.seenAt(slot);
            if (seen != FORGOTTEN && seen >= notBefore.toEpochMilli()) {
                return false;
            }
            slots.stamp(slot, stamp(now));
            noted(key, stamp(now));
            return true;
        }
        insert(key, stamp(now));
        return true;
    }

    /** Whether {@code key} was seen at or after {@code notBefore}. */
    public synchronized boolean contains(byte[] key, Instant notBefore) {
        int slot = slots.find(key);
        if (slot < 0) {
            return false;
        }
        long seen = slots.seenAt(slot);
        return seen != FORGOTTEN && seen >= notBefore.toEpochMilli();
    }

    /** Records {@code key} as seen at {@code now}, whatever was known of it. */
    public synchronized void put(byte[] key, Instant now) throws IOException {
        makeRoom();
        int slot = slots.find(key);
        if (slot >= 0) {
            slots.stamp(slot, stamp(now));
            noted(key, stamp(now));
        } else {
            insert(key, stamp(now));
        }
    }

    /** Forgets {@code key}: the next claim of it wins. */
    public synchronized void forget(byte[] key) {
        int slot = slots.find(key);
        if (slot >= 0) {
            slots.stamp(slot, FORGOTTEN);
            noted(key, FORGOTTEN);
        }
    }

    /** Entries seen before {@code time} may be dropped at the next rebuild (they no longer count for anybody). */
    public synchronized void expireBefore(Instant time) {
        cutoff = Math.max(cutoff, time.toEpochMilli());
    }

    /** How many slots the table has (it grows by rebuilding). */
    public synchronized int capacity() {
        return slots.capacity;
    }

    /** Waits for a rebuild under way, then writes the table's pages to disk. */
    @Override
    public synchronized void close() {
        awaitRebuild();
        slots.map.force();
    }

    private static long stamp(Instant now) {
        return Math.max(2, now.toEpochMilli());
    }

    /** While a rebuild copies, a change to a key is noted for the new slots. */
    private void noted(byte[] key, long seen) {
        if (changes != null) {
            changes.add(new Change(key.clone(), seen));
        }
    }

    /**
     * Before an operation that may add a key (and before it looks the key up: waiting gives the lock up, and the slots
     * may be others when it is back): a table fifteen sixteenths full waits for the rebuild under way, or rebuilds
     * here, under the lock, when none could be handed over or it failed.
     */
    private void makeRoom() throws IOException {
        while ((slots.used + 1) * 16L > slots.capacity * 15L) {
            if (changes != null) {
                awaitRebuild();
            } else {
                rebuildNow();
            }
        }
    }

    /** Adds a key {@link #makeRoom} made room for; at three quarters full, hands a rebuild over. */
    private void insert(byte[] key, long seen) {
        if (changes == null && (slots.used + 1) * 4L > slots.capacity * 3L && slots.used >= retryRebuildAt) {
            startRebuild();
        }
        slots.insert(key, seen, cutoff);
        noted(key, seen);
    }

    /** Hands the copy to {@link #rebuilder}; from now until it is done, changes are noted. */
    private void startRebuild() {
        Slots from = slots;
        long dropBefore = cutoff;
        changes = new ArrayList<>();
        try {
            rebuilder.execute(() -> {
                try {
                    copyAndSwap(from, dropBefore);
                } catch (IOException | RuntimeException e) {
                    rebuildFailed(e);
                } finally {
                    rebuildDone();
                }
            });
        } catch (RuntimeException e) {
            rebuildFailed(e);
            rebuildDone();
        }
    }

    private synchronized void rebuildFailed(Exception e) {
        LOG.warn("cannot rebuild {} (it goes on as it is): {}", file.getFileName(), e.toString());
        retryRebuildAt = slots.used + slots.capacity / 16;
    }

    private synchronized void rebuildDone() {
        changes = null;
        notifyAll();
    }

    private void rebuildNow() throws IOException {
        changes = new ArrayList<>();
        try {
            copyAndSwap(slots, cutoff);
        } finally {
            rebuildDone();
        }
    }

    /** Waits (giving up the lock) until no rebuild is copying. */
    private void awaitRebuild() {
        boolean interrupted = false;
        while (changes != null) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Copies the live entries of {@code from} into a new file of a fitting size without the table's lock (the other
     * operations go on in {@code from}; an entry being written as it is read may come out garbled, which the noted
     * changes then correct), then, under the lock, applies the changes noted meanwhile and renames the new file over
     * the old one.
     */
    private void copyAndSwap(Slots from, long dropBefore) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try {
            int live = 0;
            for (int i = 0; i < from.capacity; i++) {
                long seen = from.seenAt(i);
                if (seen > FORGOTTEN && seen >= dropBefore) {
                    live++;
                }
            }
            int cap = MIN_CAPACITY;
            while (cap < live * 4L) {
                cap <<= 1;
            }
            Slots fresh = Slots.create(next, cap);
            byte[] key = new byte[16];
            for (int i = 0; i < from.capacity; i++) {
                long seen = from.seenAt(i);
                if (seen > FORGOTTEN && seen >= dropBefore) {
                    from.keyAt(i, key);
                    fresh.put(key, seen, dropBefore);
                }
            }
            synchronized (this) {
                for (Change change : changes) {
                    if (change.seen() == FORGOTTEN) {
                        int slot = fresh.find(change.key());
                        if (slot >= 0) {
                            fresh.stamp(slot, FORGOTTEN);
                        }
                    } else {
                        fresh.put(change.key(), change.seen(), cutoff);
                    }
                }
                // not forced: the kernel writes the pages back as it does for every other entry
                Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                slots = fresh;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(next);
            throw e;
        }
    }

    /** One open-addressing table in a mapped file; used under the table's lock, or by a rebuild before it is seen. */
    private static final class Slots {
        final MappedByteBuffer map;
        final int capacity;
        int used;

        private Slots(MappedByteBuffer map, int capacity) {
            this.map = map;
            this.capacity = capacity;
        }

        /** The table in {@code file}, or null when absent or unreadable. */
        static Slots load(Path file) throws IOException {
            if (!Files.isRegularFile(file) || Files.size(file) < HEADER) {
                return null;
            }
            Slots slots = map(file);
            int cap = slots.map.getInt(4);
            if (slots.map.getInt(0) != MAGIC || Integer.bitCount(cap) != 1
                || slots.map.capacity() != HEADER + (long) cap * SLOT) {
                return null;
            }
            for (int i = 0; i < slots.capacity; i++) {
                if (slots.seenAt(i) != 0) {
                    slots.used++;
                }
            }
            return slots;
        }

        /** An empty table of {@code cap} slots in {@code target} (replacing what was there). */
        static Slots create(Path target, int cap) throws IOException {
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ)) {
                MappedByteBuffer fresh = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + (long) cap * SLOT);
                fresh.putInt(0, MAGIC).putInt(4, cap);
                fresh.force();
            }
            return map(target);
        }

        private static Slots map(Path source) throws IOException {
            try (FileChannel channel = FileChannel.open(source, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
                map.order(ByteOrder.BIG_ENDIAN);
                return new Slots(map, (int) ((channel.size() - HEADER) / SLOT));
            }
        }

        long seenAt(int slot) {
            return map.getLong(slotAt(slot) + 16);
        }

        void stamp(int slot, long seen) {
            map.putLong(slotAt(slot) + 16, seen);
        }

        void keyAt(int slot, byte[] key) {
            map.get(slotAt(slot), key);
        }

        /** The slot holding {@code key}, or -1. */
        int find(byte[] key) {
            for (int slot = home(key), probes = 0; probes < capacity; slot = (slot + 1) & (capacity - 1), probes++) {
                if (seenAt(slot) == 0) {
                    return -1;
                }
                if (matches(slot, key)) {
                    return slot;
                }
            }
            return -1;
        }

        /** Records {@code key} at {@code seen}: in its slot when present, else as {@link #insert} does. */
        void put(byte[] key, long seen, long expired) {
            int slot = find(key);
            if (slot >= 0) {
                stamp(slot, seen);
            } else {
                insert(key, seen, expired);
            }
        }

        /** Writes a key not in the table into a forgotten or expired slot on its path, or the free slot ending it. */
        void insert(byte[] key, long seen, long expired) {
            int reuse = -1;
            int slot = home(key);
            for (int probes = 0; probes < capacity; slot = (slot + 1) & (capacity - 1), probes++) {
                long was = seenAt(slot);
                if (was == 0) {
                    break;
                }
                if (reuse < 0 && (was == FORGOTTEN || was < expired)) {
                    reuse = slot;
                }
            }
            int target = reuse >= 0 ? reuse : slot;
            if (reuse < 0) {
                used++;
            }
            int at = slotAt(target);
            for (int i = 0; i < 16; i++) {
                map.put(at + i, key[i]);
            }
            map.putLong(at + 16, seen);
        }

        private static int slotAt(int slot) {
            return HEADER + slot * SLOT;
        }

        private int home(byte[] key) {
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (key[i] & 0xff);
            }
            return (int) (h & (capacity - 1));
        }

        private boolean matches(int slot, byte[] key) {
            int at = slotAt(slot);
            for (int i = 0; i < 16; i++) {
                if (map.get(at + i) != key[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
