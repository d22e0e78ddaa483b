package dev.atlas.core.outbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The spool's pending keys, each with two numbers, in flat arrays: a key of 64 lower-case hex characters (a SHA-256,
 * which every webhook's spool key is) is kept as four {@code long}s in an open-addressing table, so that a backlog of
 * a million pending webhooks is a few arrays of numbers to the garbage collector, with no object per webhook to copy,
 * promote or scan at each collection (the strings and map entries it replaces made every young collection grow with
 * the backlog). Any other key (a job result's, a file an operator handed in) is kept in an ordinary map beside it.
 * Thread-safe: every method holds the table's lock for a few array accesses only.
 */
final class PendingKeys {
    /** What {@link #first} answers for a key that is not held; never a value of one that is. */
    static final long MISSING = Long.MIN_VALUE;
    static final int MIN_CAPACITY = 1024;
    private static final int KEY_LONGS = 4;
    private static final HexFormat HEX = HexFormat.of();

    private long[] keys;
    private long[] firsts;
    private long[] seconds;
    private boolean[] used;
    private int mask;
    private int hexCount;
    private final Map<String, long[]> others = new HashMap<>();
    private final long[] probe = new long[KEY_LONGS];

    PendingKeys() {
        allocate(MIN_CAPACITY);
    }

    /** Holds {@code key} with {@code first} and {@code second} unless it is held already; true when it was added. */
    synchronized boolean putIfAbsent(String key, long first, long second) {
        if (!encode(key, probe, 0)) {
            return others.putIfAbsent(key, new long[] {first, second}) == null;
        }
        if (find(probe) >= 0) {
            return false;
        }
        insert(probe, first, second);
        return true;
    }

    /**
     * Holds {@code key} with {@code first} and {@code second}, in place of what it held; returns the first number it
     * held, or {@link #MISSING}.
     */
    synchronized long put(String key, long first, long second) {
        if (!encode(key, probe, 0)) {
            long[] was = others.put(key, new long[] {first, second});
            return was == null ? MISSING : was[0];
        }
        int slot = find(probe);
        if (slot < 0) {
            insert(probe, first, second);
            return MISSING;
        }
        long was = firsts[slot];
        firsts[slot] = first;
        seconds[slot] = second;
        return was;
    }

    /** The first number held for {@code key}, or {@link #MISSING}. */
    synchronized long first(String key) {
        return value(key, 0);
    }

    /** The second number held for {@code key}, or {@link #MISSING}. */
    synchronized long second(String key) {
        return value(key, 1);
    }

    private long value(String key, int which) {
        if (!encode(key, probe, 0)) {
            long[] values = others.get(key);
            return values == null ? MISSING : values[which];
        }
        int slot = find(probe);
        return slot < 0 ? MISSING : which == 0 ? firsts[slot] : seconds[slot];
    }

    synchronized boolean contains(String key) {
        return first(key) != MISSING;
    }

    /** Forgets {@code key}; returns the first number it held, or {@link #MISSING}. */
    synchronized long remove(String key) {
        if (!encode(key, probe, 0)) {
            long[] was = others.remove(key);
            return was == null ? MISSING : was[0];
        }
        int slot = find(probe);
        if (slot < 0) {
            return MISSING;
        }
        long was = firsts[slot];
        removeSlot(slot);
        hexCount--;
        if (used.length > MIN_CAPACITY && hexCount < used.length / 8) {
            rehash(used.length / 2); // a drained backlog gives its arrays back
        }
        return was;
    }

    synchronized int size() {
        return hexCount + others.size();
    }

    /** The table's slots (tests: that it grows and shrinks). */
    synchronized int capacity() {
        return used.length;
    }

    /** The keys whose first number is {@code first} (only those are made into strings). */
    synchronized List<String> keysWithFirst(long first) {
        List<String> out = new ArrayList<>();
        for (int slot = 0; slot < used.length; slot++) {
            if (used[slot] && firsts[slot] == first) {
                out.add(decode(keys, slot * KEY_LONGS));
            }
        }
        others.forEach((key, values) -> {
            if (values[0] == first) {
                out.add(key);
            }
        });
        return out;
    }

    /** Every key held, as it was given. */
    synchronized List<String> keys() {
        List<String> out = new ArrayList<>(size());
        for (int slot = 0; slot < used.length; slot++) {
            if (used[slot]) {
                out.add(decode(keys, slot * KEY_LONGS));
            }
        }
        out.addAll(others.keySet());
        return out;
    }

    private int home(long[] key, int at) {
        long h = key[at] ^ key[at + 1] * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private int find(long[] key) {
        for (int slot = home(key, 0); used[slot]; slot = (slot + 1) & mask) {
            int at = slot * KEY_LONGS;
            if (keys[at] == key[0] && keys[at + 1] == key[1] && keys[at + 2] == key[2] && keys[at + 3] == key[3]) {
                return slot;
            }
        }
        return -1;
    }

    private void insert(long[] key, long first, long second) {
        if ((hexCount + 1) * 8L > used.length * 5L) { // above 5/8 full
            rehash(used.length * 2);
        }
        int slot = home(key, 0);
        while (used[slot]) {
            slot = (slot + 1) & mask;
        }
        System.arraycopy(key, 0, keys, slot * KEY_LONGS, KEY_LONGS);
        firsts[slot] = first;
        seconds[slot] = second;
        used[slot] = true;
        hexCount++;
    }

    /** Empties {@code hole} and moves back the entries after it that a probe would no longer reach. */
    private void removeSlot(int hole) {
        int next = hole;
        while (true) {
            next = (next + 1) & mask;
            if (!used[next]) {
                break;
            }
            int home = home(keys, next * KEY_LONGS);
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
                int to = home(oldKeys, slot * KEY_LONGS);
                while (used[to]) {
                    to = (to + 1) & mask;
                }
                System.arraycopy(oldKeys, slot * KEY_LONGS, keys, to * KEY_LONGS, KEY_LONGS);
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

    /** Writes a key of 64 lower-case hex characters as four longs at {@code at}; false for any other key. */
    static boolean encode(String key, long[] into, int at) {
        if (key.length() != 16 * KEY_LONGS) {
            return false;
        }
        for (int c = 0; c < key.length(); c++) {
            char ch = key.charAt(c);
            if (!(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f')) {
                return false; // only ASCII lower-case hex, so that a key and its decoded text are one
            }
        }
        for (int i = 0; i < KEY_LONGS; i++) {
            into[at + i] = HexFormat.fromHexDigitsToLong(key, 16 * i, 16 * i + 16);
        }
        return true;
    }

    /** The key four longs at {@code at} hold, as {@link #encode} read it. */
    static String decode(long[] from, int at) {
        StringBuilder out = new StringBuilder(16 * KEY_LONGS);
        for (int i = 0; i < KEY_LONGS; i++) {
            out.append(HEX.toHexDigits(from[at + i]));
        }
        return out.toString();
    }
}
