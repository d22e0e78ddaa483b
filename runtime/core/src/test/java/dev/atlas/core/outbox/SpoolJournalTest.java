package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's sync timer: only batches that were synced are timed. */
class SpoolJournalTest {
    @TempDir
    Path dir;

    @Test
    void aBatchWrittenWithoutASyncIsNotTimedAsOne() throws Exception {
        List<Duration> syncs = new CopyOnWriteArrayList<>();
        try (SpoolJournal journal = SpoolJournal.open(dir)) {
            journal.observeSyncs(syncs::add);
            journal.accept("k1", "{}".getBytes(StandardCharsets.UTF_8)).get();
            assertThat(syncs).hasSize(1);
            // a delivery's record goes out with the next batch and forces no sync: alone, it is written but not synced
            journal.done("k1", 1L);
            await().atMost(Duration.ofSeconds(10)).until(() -> journal.pendingCount() == 0);
            assertThat(syncs).hasSize(1);
            journal.flush();
            assertThat(syncs).hasSize(2);
        }
    }
}
