package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory-mapped table of what was seen when: claims, expiry, growth and what survives a reopen. */
class SeenTableTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aKeyIsClaimedOnceUntilItIsOlderThanTheCutoffOrForgotten() throws Exception {
        try (SeenTable table = SeenTable.open(dir.resolve("t.table"))) {
            byte[] key = SeenTable.digest("a");
            assertThat(table.claim(key, T0, T0.minusSeconds(60))).isTrue();
            assertThat(table.claim(key, T0.plusSeconds(30), T0.minusSeconds(30))).isFalse();
            assertThat(table.contains(key, T0)).isTrue();
            assertThat(table.contains(key, T0.plusMillis(1))).isFalse();
            assertThat(table.claim(key, T0.plusSeconds(61), T0.plusSeconds(1))).as("older than the cutoff").isTrue();
            table.forget(key);
            assertThat(table.contains(key, Instant.EPOCH)).isFalse();
            assertThat(table.claim(key, T0.plusSeconds(62), Instant.EPOCH)).isTrue();
            assertThat(table.contains(SeenTable.digest("b"), Instant.EPOCH)).isFalse();
        }
    }

    @Test
    void entriesSurviveAReopenAndATornFileStartsEmpty() throws Exception {
        Path file = dir.resolve("t.table");
        try (SeenTable table = SeenTable.open(file)) {
            table.put(SeenTable.digest("kept"), T0);
        }
        try (SeenTable table = SeenTable.open(file)) {
            assertThat(table.contains(SeenTable.digest("kept"), T0)).isTrue();
        }
        Files.write(file, new byte[] {1, 2, 3});
        try (SeenTable table = SeenTable.open(file)) {
            assertThat(table.contains(SeenTable.digest("kept"), Instant.EPOCH)).isFalse();
            table.put(SeenTable.digest("new"), T0);
            assertThat(table.contains(SeenTable.digest("new"), T0)).isTrue();
        }
    }

    @Test
    void aRebuildDropsTheExpiredEntriesAndGrowsOnlyForLiveOnes() throws Exception {
        Path file = dir.resolve("t.table");
        try (SeenTable table = SeenTable.open(file, Runnable::run)) { // each rebuild copies at once, on this thread
            int first = table.capacity();
            int half = first / 2 + 2_000; // two halves overflow three quarters of the slots
            for (int i = 0; i < half; i++) {
                table.put(SeenTable.digest("old" + i), T0);
            }
            table.expireBefore(T0.plusSeconds(1));
            for (int i = 0; i < half; i++) {
                table.put(SeenTable.digest("new" + i), T0.plusSeconds(2));
            }
            // twice "first" live entries would need eight times "first" slots; the expired half is not kept
            assertThat(table.capacity()).as("the expired half made room").isLessThan(4 * first);
            assertThat(table.contains(SeenTable.digest("old0"), Instant.EPOCH)).as("dropped at the rebuild").isFalse();
            for (int i = 0; i < 2 * first; i++) {
                table.put(SeenTable.digest("live" + i), T0.plusSeconds(3));
            }
            assertThat(table.capacity()).isGreaterThan(2 * first);
            for (int i = 0; i < 2 * first; i++) {
                assertThat(table.contains(SeenTable.digest("live" + i), T0.plusSeconds(3))).isTrue();
            }
        }
        try (SeenTable table = SeenTable.open(file)) {
            assertThat(table.contains(SeenTable.digest("live7"), T0)).as("the rebuilt file is the one reopened")
                .isTrue();
            assertThat(table.contains(SeenTable.digest("new7"), T0)).isTrue();
        }
    }

    // of many identical claims at once exactly one wins: ReplayWindowTest, through FileReplayWindow

    @Test
    void aDigestIsTheStartOfTheNamesSha256OnEveryCallAndThread() throws Exception {
        byte[] expected = java.util.Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256")
            .digest("gh-main/push/d-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)), 16);
        assertThat(SeenTable.digest("gh-main/push/d-1")).isEqualTo(expected);
        assertThat(SeenTable.digest("another")).isNotEqualTo(expected);
        assertThat(SeenTable.digest("gh-main/push/d-1")).as("again on the same thread").isEqualTo(expected);
        byte[][] elsewhere = new byte[1][];
        Thread other = new Thread(() -> elsewhere[0] = SeenTable.digest("gh-main/push/d-1"));
        other.start();
        other.join();
        assertThat(elsewhere[0]).isEqualTo(expected);
    }

    @Test
    void aRebuildCopiesWhileTheTableGoesOnAnsweringAndKeepsWhatChangedMeanwhile() throws Exception {
        Path file = dir.resolve("t.table");
        java.util.List<Runnable> copies = new java.util.ArrayList<>();
        int keys = 49_153; // the insert that takes three quarters of 65,536 slots hands the rebuild over
        try (SeenTable table = SeenTable.open(file, copies::add)) {
            for (int i = 0; i < keys; i++) {
                table.put(SeenTable.digest("k" + i), T0);
            }
            assertThat(copies).as("a rebuild handed over, not run").hasSize(1);
            assertThat(table.capacity()).isEqualTo(65_536);
            // while it has not copied, the table answers from its slots as they are, and changes them
            assertThat(table.claim(SeenTable.digest("during"), T0.plusSeconds(1), T0)).isTrue();
            table.forget(SeenTable.digest("k0"));
            table.put(SeenTable.digest("k1"), T0.plusSeconds(5));
            assertThat(table.claim(SeenTable.digest("k2"), T0.plusSeconds(1), T0)).as("seen at T0").isFalse();
            assertThat(table.contains(SeenTable.digest("k0"), Instant.EPOCH)).isFalse();
            assertThat(table.contains(SeenTable.digest("during"), T0)).isTrue();

            copies.get(0).run();

            assertThat(table.capacity()).as("grown to hold the live entries a quarter full").isEqualTo(262_144);
            assertThat(table.contains(SeenTable.digest("during"), T0.plusSeconds(1))).as("added meanwhile").isTrue();
            assertThat(table.contains(SeenTable.digest("k0"), Instant.EPOCH)).as("forgotten meanwhile").isFalse();
            assertThat(table.contains(SeenTable.digest("k1"), T0.plusSeconds(5))).as("seen again meanwhile").isTrue();
            for (int i = 2; i < keys; i++) {
                assertThat(table.contains(SeenTable.digest("k" + i), T0)).as("k" + i).isTrue();
            }
            assertThat(table.claim(SeenTable.digest("k0"), T0.plusSeconds(6), T0)).as("a forgotten key's claim wins")
                .isTrue();
        }
        assertThat(file.resolveSibling("t.table.next")).doesNotExist();
        try (SeenTable table = SeenTable.open(file)) {
            assertThat(table.capacity()).as("the rebuilt file is the one reopened").isEqualTo(262_144);
            assertThat(table.contains(SeenTable.digest("during"), T0)).isTrue();
            assertThat(table.contains(SeenTable.digest("k1"), T0.plusSeconds(5))).isTrue();
            assertThat(table.contains(SeenTable.digest("k0"), T0.plusSeconds(6))).isTrue();
        }
    }

    @Test
    void aTableWhoseRebuildCannotBeHandedOverRebuildsItselfBeforeItFills() throws Exception {
        java.util.concurrent.Executor refusing = task -> {
            throw new java.util.concurrent.RejectedExecutionException("no thread");
        };
        int keys = 65_536 * 15 / 16 + 10;
        try (SeenTable table = SeenTable.open(dir.resolve("t.table"), refusing)) {
            for (int i = 0; i < keys; i++) {
                table.put(SeenTable.digest("k" + i), T0);
            }
            assertThat(table.capacity()).isGreaterThan(65_536);
            for (int i = 0; i < keys; i++) {
                assertThat(table.contains(SeenTable.digest("k" + i), T0)).as("k" + i).isTrue();
            }
        }
    }

    @Test
    void ofTwoThreadsClaimingTheSameKeysEachKeyIsWonOnceThroughBackgroundRebuilds() throws Exception {
        int keys = 120_000; // past three quarters of 65,536 slots, then of the next size: rebuilds while claiming
        java.util.concurrent.atomic.AtomicInteger wins = new java.util.concurrent.atomic.AtomicInteger();
        try (SeenTable table = SeenTable.open(dir.resolve("t.table"))) {
            Runnable claimer = () -> {
                try {
                    for (int i = 0; i < keys; i++) {
                        if (table.claim(SeenTable.digest("k" + i), T0, T0)) {
                            wins.incrementAndGet();
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            Thread one = new Thread(claimer);
            Thread two = new Thread(claimer);
            one.start();
            two.start();
            one.join();
            two.join();
            assertThat(wins.get()).isEqualTo(keys);
            assertThat(table.capacity()).isGreaterThan(65_536);
            for (int i = 0; i < keys; i++) {
                assertThat(table.contains(SeenTable.digest("k" + i), T0)).as("k" + i).isTrue();
            }
        }
    }
}
