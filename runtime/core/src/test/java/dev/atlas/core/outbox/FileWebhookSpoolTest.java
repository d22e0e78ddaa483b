package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.core.outbox.WebhookSpool.Acceptance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file spool's group-committed acceptance and its journal recovery. */
class FileWebhookSpoolTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path root;

    private static SpooledWebhook webhook(String key) {
        return new SpooledWebhook(key, "id-" + key, "github", "gh-main", NOW, Optional.of("application/json"),
            Map.of("X-GitHub-Event", "push"), ("{\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8), 0, NOW,
            Optional.empty(), Optional.empty());
    }

    private static List<String> bodies(List<SpooledWebhook> due) {
        return due.stream().map(w -> new String(w.body(), StandardCharsets.UTF_8)).sorted().toList();
    }

    @Test
    void concurrentAcceptancesAreAllSpooledAndEachDuplicateOnce() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Callable<Acceptance>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String key = "k" + (i % 100); // every key twice
                calls.add(() -> spool.accept(webhook(key)));
            }
            List<Acceptance> results = new ArrayList<>();
            for (Future<Acceptance> f : pool.invokeAll(calls)) {
                results.add(f.get());
            }
            pool.shutdown();
            assertThat(results).filteredOn(a -> a == Acceptance.SPOOLED).hasSize(100);
            assertThat(results).filteredOn(a -> a == Acceptance.DUPLICATE).hasSize(100);
            assertThat(spool.depth()).isEqualTo(100);
            assertThat(spool.due(NOW, 1000)).hasSize(100).allSatisfy(w -> assertThat(w.body()).isNotEmpty());
        }
    }

    @Test
    void anAsynchronousAcceptanceCompletesOnceDurableAndIsThenDue() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            java.util.concurrent.CompletableFuture<Acceptance> first = spool.acceptAsync(webhook("a"))
                .toCompletableFuture();
            assertThat(spool.acceptAsync(webhook("a")).toCompletableFuture().get()).isEqualTo(Acceptance.DUPLICATE);
            assertThat(first.get()).isEqualTo(Acceptance.SPOOLED);
            assertThat(bodies(spool.due(NOW, 10))).containsExactly("{\"key\":\"a\"}");
        }
    }

    @Test
    void anAcceptanceThatCannotBeWrittenFailsAndLeavesNothing() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            Files.delete(root.resolve("tmp"));
            Files.writeString(root.resolve("tmp"), "not a folder");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> spool.accept(webhook("a")))
                .isInstanceOf(IOException.class);
            assertThat(spool.depth()).isZero();
            assertThat(root.resolve("pending/a.wh")).doesNotExist();
        }
    }

    @Test
    void restoresFromTheJournalAPendingFileACrashLostOrTore() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(webhook("lost"));
            spool.accept(webhook("torn"));
            spool.accept(webhook("kept"));
            spool.accept(webhook("sent"));
            spool.delivered(spool.due(NOW, 10).stream().filter(w -> w.key().equals("sent")).findFirst().orElseThrow());
        }
        // a power cut after the 202s but before the lazily synced pending files reached the disk
        Files.delete(root.resolve("pending/lost.wh"));
        Files.write(root.resolve("pending/torn.wh"), new byte[0]);
        List<Path> left = segments();
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            assertThat(bodies(spool.due(NOW, 10)))
                .containsExactly("{\"key\":\"kept\"}", "{\"key\":\"lost\"}", "{\"key\":\"torn\"}");
            assertThat(spool.accept(webhook("sent"))).isEqualTo(Acceptance.DUPLICATE);
            assertThat(left).as("the replayed segments are retired").noneMatch(Files::exists);
        }
    }

    @Test
    void aTornJournalRecordEndsTheSegmentsReplay() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(webhook("whole"));
            spool.accept(webhook("torn"));
        }
        Path segment = segments().get(0);
        byte[] bytes = Files.readAllBytes(segment);
        java.nio.ByteBuffer records = java.nio.ByteBuffer.wrap(bytes);
        int second = 8 + records.getInt(0);
        int end = second + 8 + records.getInt(second);
        assertThat(SpoolJournal.replay(segment)).extracting(SpoolJournal.Entry::key).containsExactly("whole", "torn");
        byte[] torn = bytes.clone();
        java.util.Arrays.fill(torn, end - 3, end, (byte) 0); // the preallocated zeros a crash mid-write leaves
        Files.write(segment, torn);
        assertThat(SpoolJournal.replay(segment)).extracting(SpoolJournal.Entry::key).containsExactly("whole");
        bytes[end - 1] ^= 1; // a flipped bit fails the checksum
        Files.write(segment, bytes);
        assertThat(SpoolJournal.replay(segment)).extracting(SpoolJournal.Entry::key).containsExactly("whole");
    }

    @Test
    void deliveryReadsTheBodyOnceTheCacheNoLongerHoldsIt() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(webhook("a"));
        }
        // a new process: nothing cached, the index comes from the pending file
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            assertThat(bodies(spool.due(NOW, 10))).containsExactly("{\"key\":\"a\"}");
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("journal"))) {
            return files.sorted().toList();
        }
    }
}
