package dev.atlas.core.outbox;

/**
 * The keys of pending webhooks not yet attempted, in the order they were accepted, each with when it arrived (epoch
 * milliseconds): a ring of two arrays, so that a backlog of a million webhooks is two arrays to the collector instead
 * of a million entries of a sorted set (each a node, a record and an {@code Instant}, scanned and copied at every
 * collection while the backlog waits). A webhook Atlas accepted is due at once: the arrival times only order these
 * keys against the spool's retries, whichever came due first leaving first. Thread-safe; every method holds the
 * queue's lock for a few array accesses only.
 */
final class ArrivalQueue {
    static final int INITIAL_CAPACITY = 1024;

    private String[] keys = new String[INITIAL_CAPACITY];
    private long[] arrivedAt = new long[INITIAL_CAPACITY];
    private int head;
    private int size;

    /** Adds {@code key}, arrived at {@code millis}, behind every key already queued. */
    synchronized void add(String key, long millis) {
        if (size == keys.length) {
            resize(keys.length * 2);
        }
        int tail = (head + size) % keys.length;
        keys[tail] = key;
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
        keys[head] = null;
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
        long[] movedTimes = new long[capacity];
        for (int i = 0; i < size; i++) {
            int from = (head + i) % keys.length;
            movedKeys[i] = keys[from];
            movedTimes[i] = arrivedAt[from];
        }
        keys = movedKeys;
        arrivedAt = movedTimes;
        head = 0;
    }
}
