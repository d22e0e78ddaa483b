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
 * most a quarter full, and renamed into place. Thread-safe: every operation holds the table's lock for a few hundred
 * nanoseconds (a rebuild, for as long as copying the live entries takes).
 */
public final class SeenTable implements AutoCloseable {
    private static final int MAGIC = 0x41534e31; // "ASN1"
    private static final int HEADER = 16;
    private static final int SLOT = 24;
    private static final int MIN_CAPACITY = 1 << 16;
    private static final long FORGOTTEN = 1;

    private final Path file;
    private MappedByteBuffer map;
    private int capacity;
    private int used;
    private long cutoff = Long.MIN_VALUE;

    private SeenTable(Path file) {
        this.file = file;
    }

    /** Opens the table in {@code file}, creating it when absent or unreadable (a torn header starts it empty). */
    public static SeenTable open(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SeenTable table = new SeenTable(file);
        if (!table.load()) {
            table.create(file, MIN_CAPACITY);
            table.map(file);
        }
        return table;
    }

    private boolean load() throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) < HEADER) {
            return false;
        }
        map(file);
        int cap = map.getInt(4);
        if (map.getInt(0) != MAGIC || Integer.bitCount(cap) != 1 || map.capacity() != HEADER + (long) cap * SLOT) {
            return false;
        }
        capacity = cap;
        for (int i = 0; i < capacity; i++) {
            if (map.getLong(HEADER + i * SLOT + 16) != 0) {
                used++;
            }
        }
        return true;
    }

    private void create(Path target, int cap) throws IOException {
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ)) {
            MappedByteBuffer fresh = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + (long) cap * SLOT);
            fresh.putInt(0, MAGIC).putInt(4, cap);
            fresh.force();
        }
    }

    private void map(Path source) throws IOException {
        try (FileChannel channel = FileChannel.open(source, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            map = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
            map.order(ByteOrder.BIG_ENDIAN);
            capacity = (int) ((channel.size() - HEADER) / SLOT);
            used = 0;
        }
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
        int slot = find(key);
        if (slot >= 0) {
            long seen = seenAt(slot);
            if (seen != FORGOTTEN && seen >= notBefore.toEpochMilli()) {
                return false;
            }
            map.putLong(slotAt(slot) + 16, stamp(now));
            return true;
        }
        insert(key, now);
        return true;
    }

    /** Whether {@code key} was seen at or after {@code notBefore}. */
    public synchronized boolean contains(byte[] key, Instant notBefore) {
        int slot = find(key);
        if (slot < 0) {
            return false;
        }
        long seen = seenAt(slot);
        return seen != FORGOTTEN && seen >= notBefore.toEpochMilli();
    }

    /** Records {@code key} as seen at {@code now}, whatever was known of it. */
    public synchronized void put(byte[] key, Instant now) throws IOException {
        int slot = find(key);
        if (slot >= 0) {
            map.putLong(slotAt(slot) + 16, stamp(now));
        } else {
            insert(key, now);
        }
    }

    /** Forgets {@code key}: the next claim of it wins. */
    public synchronized void forget(byte[] key) {
        int slot = find(key);
        if (slot >= 0) {
            map.putLong(slotAt(slot) + 16, FORGOTTEN);
        }
    }

    /** Entries seen before {@code time} may be dropped at the next rebuild (they no longer count for anybody). */
    public synchronized void expireBefore(Instant time) {
        cutoff = Math.max(cutoff, time.toEpochMilli());
    }

    /** How many slots the table has (it grows by rebuilding). */
    public synchronized int capacity() {
        return capacity;
    }

    /** Writes the table's pages to disk. */
    @Override
    public synchronized void close() {
        map.force();
    }

    private static long stamp(Instant now) {
        return Math.max(2, now.toEpochMilli());
    }

    private int slotAt(int slot) {
        return HEADER + slot * SLOT;
    }

    private long seenAt(int slot) {
        return map.getLong(slotAt(slot) + 16);
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

    /** The slot holding {@code key}, or -1. */
    private int find(byte[] key) {
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

    private void insert(byte[] key, Instant now) throws IOException {
        if ((used + 1) * 4L > capacity * 3L) {
            rebuild();
        }
        long expired = cutoff;
        int reuse = -1;
        int slot = home(key);
        for (int probes = 0; probes < capacity; slot = (slot + 1) & (capacity - 1), probes++) {
            long seen = seenAt(slot);
            if (seen == 0) {
                break;
            }
            if (reuse < 0 && (seen == FORGOTTEN || seen < expired)) {
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
        map.putLong(at + 16, stamp(now));
    }

    /** Copies the live entries into a new file of a fitting size and renames it over this one. */
    private void rebuild() throws IOException {
        int live = 0;
        for (int i = 0; i < capacity; i++) {
            long seen = seenAt(i);
            if (seen > FORGOTTEN && seen >= cutoff) {
                live++;
            }
        }
        int cap = MIN_CAPACITY;
        while (cap < live * 4L) {
            cap <<= 1;
        }
        MappedByteBuffer old = map;
        int oldCapacity = capacity;
        Path next = file.resolveSibling(file.getFileName() + ".next");
        create(next, cap);
        map(next);
        for (int i = 0; i < oldCapacity; i++) {
            int at = HEADER + i * SLOT;
            long seen = old.getLong(at + 16);
            if (seen > FORGOTTEN && seen >= cutoff) {
                byte[] key = new byte[16];
                old.get(at, key);
                insert(key, Instant.ofEpochMilli(seen));
            }
        }
        // not forced: a rebuild runs under the lock that claims wait for (on the event loop); the kernel writes the
        // pages back as it does for every other entry
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
