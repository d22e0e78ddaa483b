package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The queue of keys not attempted yet: order, the first arrival, growth and shrinking. */
class ArrivalQueueTest {

    @Test
    void keysComeOutInTheOrderTheyWentInAcrossBlocks() {
        // every third key is a webhook's (64 hex characters, kept as numbers), the others are kept as they are
        ArrivalQueue queue = new ArrivalQueue();
        List<String> out = new ArrayList<>();
        int next = 0;
        // interleave adds and polls so that keys cross from block to block, blocks are drained and reused
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 900; i++) {
                queue.add(key(next), next);
                next++;
            }
            for (int i = 0; i < 500; i++) {
                out.add(queue.poll());
            }
        }
        while (queue.size() > 0) {
            out.add(queue.poll());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < next; i++) {
            expected.add(key(i));
        }
        assertThat(out).isEqualTo(expected);
    }

    /** Key {@code i}: a SHA-256-like hex key for every third one, leading zeros included; else a plain name. */
    private static String key(int i) {
        return i % 3 == 0 ? String.format("%064x", (long) i * 0x9E3779B97F4A7C15L & Long.MAX_VALUE) : "k" + i;
    }

    @Test
    void theFirstKeysArrivalIsReportedWhateverTheOrderOfArrivalTimesBehindIt() {
        ArrivalQueue queue = new ArrivalQueue();
        assertThat(queue.firstArrival()).isEqualTo(Long.MAX_VALUE);
        assertThat(queue.poll()).isNull();
        queue.add("a", 2_000);
        queue.add("b", 1_000); // a clock stepped back between two acceptances
        assertThat(queue.firstArrival()).isEqualTo(2_000);
        assertThat(queue.poll()).isEqualTo("a");
        assertThat(queue.firstArrival()).isEqualTo(1_000);
        assertThat(queue.poll()).isEqualTo("b");
        assertThat(queue.firstArrival()).isEqualTo(Long.MAX_VALUE);
        assertThat(queue.size()).isZero();
    }

    @Test
    void aBacklogGrowsBlockByBlockAndItsDeliveryGivesTheBlocksBack() {
        ArrivalQueue queue = new ArrivalQueue();
        for (int i = 0; i < 100_000; i++) {
            queue.add(i % 2 == 0 ? key(3 * i) : "k" + i, i);
            // one block more each time the last one is full: never a larger array, never a copy of what is queued
            assertThat(queue.capacity()).isEqualTo((i / ArrivalQueue.BLOCK + 1) * ArrivalQueue.BLOCK);
        }
        for (int i = 0; i < 100_000 - 10; i++) {
            assertThat(queue.poll()).isEqualTo(i % 2 == 0 ? key(3 * i) : "k" + i);
        }
        assertThat(queue.capacity()).as("the last block and one spare").isEqualTo(2 * ArrivalQueue.BLOCK);
        for (int i = 100_000 - 10; i < 100_000; i++) {
            assertThat(queue.poll()).isEqualTo(i % 2 == 0 ? key(3 * i) : "k" + i);
        }
        assertThat(queue.poll()).isNull();
        queue.add("again", 1);
        assertThat(queue.capacity()).as("an emptied queue starts its block over").isEqualTo(2 * ArrivalQueue.BLOCK);
        assertThat(queue.firstArrival()).isEqualTo(1);
        assertThat(queue.poll()).isEqualTo("again");
    }
}
