package dev.atlas.core.outbox;

/**
 * The keys of pending webhooks not yet attempted, in the order they were accepted, each with when it arrived (epoch
 * milliseconds): a ring of arrays of numbers, so that a backlog of a million webhooks is a few arrays to the collector
 * instead of a million entries of a sorted set (each a node, a record and an {@code Instant}, scanned and copied at
 * every collection while the backlog waits), nor a million key strings: a 64-hex-character key (every webhook's) is
 * kept as four {@code long}s ({@link PendingKeys#encode}), any other one as itself. A webhook Atlas accepted is due
 * at once: the arrival times only order these keys against the spool's retries, whichever came due first leaving
 * first. Thread-safe; every method holds the queue's lock for a few array accesses only.
 */
final class ArrivalQueue {
    static final int INITIAL_CAPACITY = 1024;

    private static final int KEY_LONGS = 4;

    /** A slot's key when it is not hex: else null, and the key is in {@link #hexKeys}. */
    private String[] keys = new String[INITIAL_CAPACITY];
    private long[] hexKeys = new long[INITIAL_CAPACITY * KEY_LONGS];
    private long[] arrivedAt = new long[INITIAL_CAPACITY];
    private int head;
    private int size;

    /** Adds {@code key}, arrived at {@code millis}, behind every key already queued. */
    synchronized void add(String key, long millis) {
        if (size == keys.length) {
            resize(keys.length * 2);
        }
        int tail = (head + size) % keys.length;
        if (!PendingKeys.encode(key, hexKeys, tail * KEY_LONGS)) {
            keys[tail] = key;
        }
        arrivedAt[tail] = millis;
        size++;
    }

    /** When the first key arrived, or {@link Long#MAX_VALUE} when the queue is empty. */
    synchronized long firstArrival() {
        return size == 0 ? Long.MAX_VALUE : arrivedAt[head];
    }

    /** Takes the first key, or returns null when the queue is empty. */
    synchronized String poll() {
        if (size == 0) {
            return null;
        }
        String key = keys[head];
        if (key == null) {
            key = PendingKeys.decode(hexKeys, head * KEY_LONGS);
        } else {
            keys[head] = null;
        }
        head = (head + 1) % keys.length;
        size--;
        if (keys.length > INITIAL_CAPACITY && size < keys.length / 4) {
            resize(keys.length / 2); // a drained backlog gives its arrays back
        }
        return key;
    }

    synchronized int size() {
        return size;
    }

    /** The arrays' length (tests: that a drained queue shrinks). */
    synchronized int capacity() {
        return keys.length;
    }

    private void resize(int capacity) {
        String[] movedKeys = new String[capacity];
        long[] movedHex = new long[capacity * KEY_LONGS];
        long[] movedTimes = new long[capacity];
        for (int i = 0; i < size; i++) {
            int from = (head + i) % keys.length;
            movedKeys[i] = keys[from];
            System.arraycopy(hexKeys, from * KEY_LONGS, movedHex, i * KEY_LONGS, KEY_LONGS);
            movedTimes[i] = arrivedAt[from];
        }
        keys = movedKeys;
        hexKeys = movedHex;
        arrivedAt = movedTimes;
        head = 0;
    }
}
