package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pending keys' table: webhook keys kept as numbers, any other key as itself, and the same answers as a map. */
class PendingKeysTest {
    private static final String HEX = "0123456789abcdef";

    private static String hexKey(Random random) {
        StringBuilder out = new StringBuilder(64);
        for (int i = 0; i < 64; i++) {
            out.append(HEX.charAt(random.nextInt(16)));
        }
        return out.toString();
    }

    @Test
    void answersAsAMapWouldOverARandomRunOfAddsChangesAndRemovals() {
        PendingKeys table = new PendingKeys();
        Map<String, long[]> model = new HashMap<>();
        Random random = new Random(7);
        String[] pool = new String[5_000];
        for (int i = 0; i < pool.length; i++) {
            // mostly webhook keys; some other keys; some keys sharing their first half, so that they collide
            pool[i] = i % 10 == 0 ? "result-" + i
                : i % 10 == 1 ? pool[i - 1].startsWith("r") ? hexKey(random) : pool[i - 1].substring(0, 32)
                    + hexKey(random).substring(32)
                : hexKey(random);
        }
        for (int step = 0; step < 200_000; step++) {
            String key = pool[random.nextInt(pool.length)];
            long first = random.nextInt(1000);
            long second = random.nextLong();
            switch (random.nextInt(4)) {
                case 0 -> assertThat(table.putIfAbsent(key, first, second))
                    .isEqualTo(model.putIfAbsent(key, new long[] {first, second}) == null);
                case 1 -> {
                    long[] was = model.put(key, new long[] {first, second});
                    assertThat(table.put(key, first, second)).isEqualTo(was == null ? PendingKeys.MISSING : was[0]);
                }
                case 2 -> {
                    long[] was = model.remove(key);
                    assertThat(table.remove(key)).isEqualTo(was == null ? PendingKeys.MISSING : was[0]);
                }
                default -> {
                    long[] expected = model.get(key);
                    assertThat(table.first(key)).isEqualTo(expected == null ? PendingKeys.MISSING : expected[0]);
                    assertThat(table.values(key)).isEqualTo(expected);
                }
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        for (long first = 0; first < 1000; first += 97) {
            long wanted = first;
            assertThat(table.keysWithFirst(first)).containsExactlyInAnyOrderElementsOf(model.entrySet().stream()
                .filter(e -> e.getValue()[0] == wanted).map(Map.Entry::getKey).toList());
        }
        assertThat(table.keys()).containsExactlyInAnyOrderElementsOf(model.keySet());
    }

    @Test
    void removingAKeyKeepsEveryKeyThatCollidedWithItReachable() {
        PendingKeys table = new PendingKeys();
        Random random = new Random(11);
        String prefix = hexKey(random).substring(0, 32); // one home slot for all of them
        String[] keys = new String[40];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = prefix + hexKey(random).substring(32);
            table.put(keys[i], i, -i);
        }
        for (int i = 0; i < keys.length; i += 3) {
            assertThat(table.remove(keys[i])).isEqualTo(i);
        }
        for (int i = 0; i < keys.length; i++) {
            assertThat(table.first(keys[i])).isEqualTo(i % 3 == 0 ? PendingKeys.MISSING : i);
            assertThat(table.values(keys[i])).isEqualTo(i % 3 == 0 ? null : new long[] {i, -i});
        }
    }

    @Test
    void aBacklogGrowsTheArraysAndItsDeliveryGivesThemBack() {
        PendingKeys table = new PendingKeys();
        Random random = new Random(3);
        String[] keys = new String[100_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = hexKey(random);
            table.put(keys[i], i, i);
        }
        assertThat(table.capacity()).isGreaterThanOrEqualTo(keys.length);
        // each segment grows alone: a growth moves a few hundred keys, never the whole table
        assertThat(table.largestSegmentCapacity()).isLessThanOrEqualTo(table.capacity() / 64);
        for (String key : keys) {
            table.remove(key);
        }
        assertThat(table.size()).isZero();
        assertThat(table.capacity()).isEqualTo(PendingKeys.MIN_CAPACITY);
    }

    @Test
    void onlyAsciiLowerCaseHexOfSixtyFourCharactersIsKeptAsNumbersAndEachKeyStaysItself() {
        String hex = "00000000000000000000000000000000000000000000000000000000000000af";
        long[] into = new long[4];
        assertThat(PendingKeys.encode(hex, into, 0)).isTrue();
        assertThat(PendingKeys.decode(into, 0)).isEqualTo(hex); // leading zeros kept
        // keys that would read as the same number under a looser reading: each must stay a key of its own
        String upper = hex.toUpperCase();
        String fullWidth = "\uff10" + hex.substring(1); // FULLWIDTH DIGIT ZERO
        String arabicIndic = "\u0660" + hex.substring(1); // ARABIC-INDIC DIGIT ZERO
        for (String other : new String[] {upper, fullWidth, arabicIndic, hex.substring(1), hex + "0", hex + " ",
            "-" + hex.substring(1), "g" + hex.substring(1)}) {
            assertThat(PendingKeys.encode(other, new long[4], 0)).as(other).isFalse();
        }
        PendingKeys table = new PendingKeys();
        table.put(hex, 1, 1);
        for (String other : new String[] {upper, fullWidth, arabicIndic}) {
            assertThat(table.contains(other)).as(other).isFalse();
            table.put(other, 2, 2);
        }
        assertThat(table.size()).isEqualTo(4);
        assertThat(table.first(hex)).isEqualTo(1);
        assertThat(table.remove(upper)).isEqualTo(2);
        assertThat(table.first(hex)).isEqualTo(1);
    }

    @Test
    void bothNumbersOfAKeyAreReadAsOneWhileAnotherThreadMovesIt() throws Exception {
        // the journal's writer moves a pending webhook (segment, place) while a delivery reads where it is
        PendingKeys table = new PendingKeys();
        String hex = hexKey(new Random(5));
        String other = "result-1";
        table.put(hex, 0, 0);
        table.put(other, 0, 0);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (long n = 1; !done.get(); n++) {
                table.put(hex, n, n);
                table.put(other, n, n);
            }
        });
        writer.start();
        try {
            for (int read = 0; read < 200_000; read++) {
                for (String key : new String[] {hex, other}) {
                    long[] both = table.values(key);
                    assertThat(both[1]).as("a torn read of %s", key).isEqualTo(both[0]);
                }
            }
        } finally {
            done.set(true);
            writer.join();
        }
    }
}
