package dev.atlas.core.outbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The spool's pending keys, each with two numbers, in flat arrays: a key of 64 lower-case hex characters (a SHA-256,
 * which every webhook's spool key is) is kept as four {@code long}s in an open-addressing table, so that a backlog of
 * a million pending webhooks is a few arrays of numbers to the garbage collector, with no object per webhook to copy,
 * promote or scan at each collection (the strings and map entries it replaces made every young collection grow with
 * the backlog). Any other key (a job result's, a file an operator handed in) is kept in an ordinary map beside it.
 *
 * <p>The table is {@value #SEGMENTS} tables of their own, a key's segment fixed by its last bits, each growing and
 * shrinking alone: a growing backlog makes each of them double in turn, a 256th of the keys at a time, where one
 * table moved every key at once (at 655,360 pending keys one acceptance waited ~160 ms for 100 MB of new arrays and a
 * rehash, every other acceptance waiting behind it). Thread-safe: every method holds one segment's lock (or the
 * other keys' map's) for a few array accesses only.
 */
final class PendingKeys {
    /** What {@link #first} answers for a key that is not held; never a value of one that is. */
    static final long MISSING = Long.MIN_VALUE;
    static final int SEGMENTS = 256;
    /** The slots of an empty table: {@value #SEGMENTS} segments of 16. */
    static final int MIN_CAPACITY = SEGMENTS * Segment.MIN_CAPACITY;
    private static final int KEY_LONGS = 4;
    private static final HexFormat HEX = HexFormat.of();

    private final Segment[] segments = new Segment[SEGMENTS];
    /** Keys that are not 64 lower-case hex characters; guarded by itself. */
    private final Map<String, long[]> others = new HashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    PendingKeys() {
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment();
        }
    }

    /** Holds {@code key} with {@code first} and {@code second} unless it is held already; true when it was added. */
    boolean putIfAbsent(String key, long first, long second) {
        boolean added;
        if (!isHex(key)) {
            synchronized (others) {
                added = others.putIfAbsent(key, new long[] {first, second}) == null;
            }
        } else {
            long k3 = part(key, 3);
            added = segment(k3).putIfAbsent(part(key, 0), part(key, 1), part(key, 2), k3, first, second);
        }
        if (added) {
            size.incrementAndGet();
        }
        return added;
    }

    /**
     * Holds {@code key} with {@code first} and {@code second}, in place of what it held; returns the first number it
     * held, or {@link #MISSING}.
     */
    long put(String key, long first, long second) {
        long was;
        if (!isHex(key)) {
            synchronized (others) {
                long[] held = others.put(key, new long[] {first, second});
                was = held == null ? MISSING : held[0];
            }
        } else {
            long k3 = part(key, 3);
            was = segment(k3).put(part(key, 0), part(key, 1), part(key, 2), k3, first, second);
        }
        if (was == MISSING) {
            size.incrementAndGet();
        }
        return was;
    }

    /** The first number held for {@code key}, or {@link #MISSING}. */
    long first(String key) {
        if (!isHex(key)) {
            synchronized (others) {
                long[] values = others.get(key);
                return values == null ? MISSING : values[0];
            }
        }
        long k3 = part(key, 3);
        return segment(k3).first(part(key, 0), part(key, 1), part(key, 2), k3);
    }


    /**
     * Both numbers held for {@code key}, read as one (a {@link #put} of the same key on another thread is seen whole or
     * not at all), or null when it is not held.
     */
    long[] values(String key) {
        if (!isHex(key)) {
            synchronized (others) {
                long[] values = others.get(key);
                return values == null ? null : values.clone();
            }
        }
        long k3 = part(key, 3);
        return segment(k3).values(part(key, 0), part(key, 1), part(key, 2), k3);
    }

    boolean contains(String key) {
        return first(key) != MISSING;
    }

    /** Forgets {@code key}; returns the first number it held, or {@link #MISSING}. */
    long remove(String key) {
        long was;
        if (!isHex(key)) {
            synchronized (others) {
                long[] held = others.remove(key);
                was = held == null ? MISSING : held[0];
            }
        } else {
            long k3 = part(key, 3);
            was = segment(k3).remove(part(key, 0), part(key, 1), part(key, 2), k3);
        }
        if (was != MISSING) {
            size.decrementAndGet();
        }
        return was;
    }

    int size() {
        return size.get();
    }

    /** The slots of every segment together (tests: that the table grows and shrinks). */
    int capacity() {
        int slots = 0;
        for (Segment segment : segments) {
            slots += segment.capacity();
        }
        return slots;
    }

    /** The slots of the largest segment: the most a single growth moves (tests). */
    int largestSegmentCapacity() {
        int largest = 0;
        for (Segment segment : segments) {
            largest = Math.max(largest, segment.capacity());
        }
        return largest;
    }

    /** The keys whose first number is {@code first} (only those are made into strings). */
    List<String> keysWithFirst(long first) {
        List<String> out = new ArrayList<>();
        for (Segment segment : segments) {
            segment.collect(out, true, first);
        }
        synchronized (others) {
            others.forEach((key, values) -> {
                if (values[0] == first) {
                    out.add(key);
                }
            });
        }
        return out;
    }

    /** Every key held, as it was given. */
    List<String> keys() {
        List<String> out = new ArrayList<>(size());
        for (Segment segment : segments) {
            segment.collect(out, false, 0);
        }
        synchronized (others) {
            out.addAll(others.keySet());
        }
        return out;
    }

    private Segment segment(long k3) {
        return segments[(int) k3 & (SEGMENTS - 1)];
    }

    /** Writes a key of 64 lower-case hex characters as four longs at {@code at}; false for any other key. */
    static boolean encode(String key, long[] into, int at) {
        if (!isHex(key)) {
            return false;
        }
        for (int i = 0; i < KEY_LONGS; i++) {
            into[at + i] = part(key, i);
        }
        return true;
    }

    /** True for a key of 64 characters, each an ASCII lower-case hex digit, so that a key and its decoded text are one. */
    private static boolean isHex(String key) {
        if (key.length() != 16 * KEY_LONGS) {
            return false;
        }
        for (int c = 0; c < key.length(); c++) {
            char ch = key.charAt(c);
            if (!(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The {@code i}-th long of a hex key ({@link #isHex}). */
    private static long part(String key, int i) {
        return HexFormat.fromHexDigitsToLong(key, 16 * i, 16 * i + 16);
    }

    /** The key four longs at {@code at} hold, as {@link #encode} read it. */
    static String decode(long[] from, int at) {
        StringBuilder out = new StringBuilder(16 * KEY_LONGS);
        for (int i = 0; i < KEY_LONGS; i++) {
            out.append(HEX.toHexDigits(from[at + i]));
        }
        return out.toString();
    }

    /** One open-addressing table (linear probing) of hex keys; grows above 5/8 full, shrinks below 1/8. */
    private static final class Segment {
        static final int MIN_CAPACITY = 16;

        private long[] keys;
        private long[] firsts;
        private long[] seconds;
        private boolean[] used;
        private int mask;
        private int count;

        Segment() {
            allocate(MIN_CAPACITY);
        }

        synchronized boolean putIfAbsent(long k0, long k1, long k2, long k3, long first, long second) {
            if (find(k0, k1, k2, k3) >= 0) {
                return false;
            }
            insert(k0, k1, k2, k3, first, second);
            return true;
        }

        synchronized long put(long k0, long k1, long k2, long k3, long first, long second) {
            int slot = find(k0, k1, k2, k3);
            if (slot < 0) {
                insert(k0, k1, k2, k3, first, second);
                return MISSING;
            }
            long was = firsts[slot];
            firsts[slot] = first;
            seconds[slot] = second;
            return was;
        }

        synchronized long first(long k0, long k1, long k2, long k3) {
            int slot = find(k0, k1, k2, k3);
            return slot < 0 ? MISSING : firsts[slot];
        }

        synchronized long[] values(long k0, long k1, long k2, long k3) {
            int slot = find(k0, k1, k2, k3);
            return slot < 0 ? null : new long[] {firsts[slot], seconds[slot]};
        }

        synchronized long remove(long k0, long k1, long k2, long k3) {
            int slot = find(k0, k1, k2, k3);
            if (slot < 0) {
                return MISSING;
            }
            long was = firsts[slot];
            removeSlot(slot);
            count--;
            if (used.length > MIN_CAPACITY && count < used.length / 8) {
                rehash(used.length / 2); // a drained backlog gives its arrays back
            }
            return was;
        }

        synchronized int capacity() {
            return used.length;
        }

        /** Adds this segment's keys to {@code out}: all of them, or those whose first number is {@code first}. */
        synchronized void collect(List<String> out, boolean onlyFirst, long first) {
            for (int slot = 0; slot < used.length; slot++) {
                if (used[slot] && (!onlyFirst || firsts[slot] == first)) {
                    out.add(decode(keys, slot * KEY_LONGS));
                }
            }
        }

        private int home(long k0, long k1) {
            long h = k0 ^ k1 * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }

        private int find(long k0, long k1, long k2, long k3) {
            for (int slot = home(k0, k1); used[slot]; slot = (slot + 1) & mask) {
                int at = slot * KEY_LONGS;
                if (keys[at] == k0 && keys[at + 1] == k1 && keys[at + 2] == k2 && keys[at + 3] == k3) {
                    return slot;
                }
            }
            return -1;
        }

        private void insert(long k0, long k1, long k2, long k3, long first, long second) {
            if ((count + 1) * 8L > used.length * 5L) { // above 5/8 full
                rehash(used.length * 2);
            }
            int slot = home(k0, k1);
            while (used[slot]) {
                slot = (slot + 1) & mask;
            }
            int at = slot * KEY_LONGS;
            keys[at] = k0;
            keys[at + 1] = k1;
            keys[at + 2] = k2;
            keys[at + 3] = k3;
            firsts[slot] = first;
            seconds[slot] = second;
            used[slot] = true;
            count++;
        }

        /** Empties {@code hole} and moves back the entries after it that a probe would no longer reach. */
        private void removeSlot(int hole) {
            int next = hole;
            while (true) {
                next = (next + 1) & mask;
                if (!used[next]) {
                    break;
                }
                int home = home(keys[next * KEY_LONGS], keys[next * KEY_LONGS + 1]);
                // the entry may fill the hole when the hole lies between its home slot and where it is now
                if (((next - home) & mask) >= ((next - hole) & mask)) {
                    System.arraycopy(keys, next * KEY_LONGS, keys, hole * KEY_LONGS, KEY_LONGS);
                    firsts[hole] = firsts[next];
                    seconds[hole] = seconds[next];
                    hole = next;
                }
            }
            used[hole] = false;
        }

        private void rehash(int capacity) {
            long[] oldKeys = keys;
            long[] oldFirsts = firsts;
            long[] oldSeconds = seconds;
            boolean[] oldUsed = used;
            allocate(capacity);
            for (int slot = 0; slot < oldUsed.length; slot++) {
                if (oldUsed[slot]) {
                    int from = slot * KEY_LONGS;
                    int to = home(oldKeys[from], oldKeys[from + 1]);
                    while (used[to]) {
                        to = (to + 1) & mask;
                    }
                    System.arraycopy(oldKeys, from, keys, to * KEY_LONGS, KEY_LONGS);
                    firsts[to] = oldFirsts[slot];
                    seconds[to] = oldSeconds[slot];
                    used[to] = true;
                }
            }
        }

        private void allocate(int capacity) {
            keys = new long[capacity * KEY_LONGS];
            firsts = new long[capacity];
            seconds = new long[capacity];
            used = new boolean[capacity];
            mask = capacity - 1;
        }
    }
}
