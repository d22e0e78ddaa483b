package dev.atlas.core.outbox;

import java.util.ArrayDeque;

/**
 * The keys of pending webhooks not yet attempted, in the order they were accepted, each with when it arrived (epoch
 * milliseconds): blocks of {@value #BLOCK} slots of arrays of numbers, so that a backlog of a million webhooks is a few
 * arrays to the collector instead of a million entries of a sorted set (each a node, a record and an {@code Instant},
 * scanned and copied at every collection while the backlog waits), nor a million key strings: a 64-hex-character key
 * (every webhook's) is kept as four {@code long}s ({@link PendingKeys#encode}), any other one as itself. A growing
 * backlog adds a block and a drained one gives its blocks back; nothing is ever copied (one ring doubling its arrays
 * kept an acceptance ~60 ms at 524,288 keys). A webhook Atlas accepted is due at once: the arrival times only order
 * these keys against the spool's retries, whichever came due first leaving first. Thread-safe; every method holds the
 * queue's lock for a few array accesses only.
 */
final class ArrivalQueue {
    static final int BLOCK = 1024;

    private static final int KEY_LONGS = 4;

    /** Oldest first; the first block's slots before {@link #head} and the last one's from {@link #tail} are free. */
    private final ArrayDeque<Block> blocks = new ArrayDeque<>();
    /** The last block drained, kept for the next one needed, so that a steady flow allocates no block. */
    private Block spare;
    private int head;
    private int tail;
    private int size;

    /** One block's keys and arrival times. */
    private static final class Block {
        /** A slot's key when it is not hex: else null, and the key is in {@link #hexKeys}. */
        final String[] keys = new String[BLOCK];
        final long[] hexKeys = new long[BLOCK * KEY_LONGS];
        final long[] arrivedAt = new long[BLOCK];
    }

    /** Adds {@code key}, arrived at {@code millis}, behind every key already queued. */
    synchronized void add(String key, long millis) {
        if (blocks.isEmpty() || tail == BLOCK) {
            blocks.addLast(spare != null ? spare : new Block());
            spare = null;
            tail = 0;
        }
        Block last = blocks.peekLast();
        if (!PendingKeys.encode(key, last.hexKeys, tail * KEY_LONGS)) {
            last.keys[tail] = key;
        }
        last.arrivedAt[tail] = millis;
        tail++;
        size++;
    }

    /** When the first key arrived, or {@link Long#MAX_VALUE} when the queue is empty. */
    synchronized long firstArrival() {
        return size == 0 ? Long.MAX_VALUE : blocks.peekFirst().arrivedAt[head];
    }

    /** Takes the first key, or returns null when the queue is empty. */
    synchronized String poll() {
        if (size == 0) {
            return null;
        }
        Block first = blocks.peekFirst();
        String key = first.keys[head];
        if (key == null) {
            key = PendingKeys.decode(first.hexKeys, head * KEY_LONGS);
        } else {
            first.keys[head] = null;
        }
        head++;
        size--;
        if (size == 0) { // the last block is emptied too: start it over
            head = 0;
            tail = 0;
        } else if (head == BLOCK) {
            spare = blocks.pollFirst();
            head = 0;
        }
        return key;
    }

    synchronized int size() {
        return size;
    }

    /** The slots of the blocks held, the spare included (tests: that a drained queue gives its blocks back). */
    synchronized int capacity() {
        return (blocks.size() + (spare == null ? 0 : 1)) * BLOCK;
    }
}
