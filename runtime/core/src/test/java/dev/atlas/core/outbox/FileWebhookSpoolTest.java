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

    /** A GitHub push due at once, its body naming {@code key} (also used by the delivery's tests). */
    static SpooledWebhook webhook(String key) {
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
                // every key twice; half of them webhooks' keys (kept as numbers), half other keys (kept as strings)
                String key = key("k" + (i % 100), i % 2 == 0);
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
    void eachSyncedBatchIsTimedUnderItsSpoolsNameBeforeItsAcceptancesComplete() throws Exception {
        List<String> timers = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<java.time.Duration> took = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.atlas.api.Metrics recording = new dev.atlas.api.Metrics() {
            @Override
            public void count(String name, String... tags) {
            }

            @Override
            public void time(String name, java.time.Duration duration, String... tags) {
                timers.add(name + " " + String.join("=", tags));
                took.add(duration);
            }
        };
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.measureSyncs(recording, "webhooks");
            long before = System.nanoTime();
            assertThat(spool.accept(webhook("a"))).isEqualTo(Acceptance.SPOOLED);
            java.time.Duration elapsed = java.time.Duration.ofNanos(System.nanoTime() - before);
            assertThat(timers).containsExactly("spool_journal_sync spool=webhooks");
            assertThat(took.get(0)).isPositive().isLessThanOrEqualTo(elapsed);
            // a duplicate writes nothing: no sync, nothing timed
            assertThat(spool.accept(webhook("a"))).isEqualTo(Acceptance.DUPLICATE);
            assertThat(timers).hasSize(1);
            assertThat(spool.accept(webhook("b"))).isEqualTo(Acceptance.SPOOLED);
            assertThat(timers).hasSize(2);
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
    void anAcceptanceCompletesOnTheJournalsWriterItselfWithoutAHandOverToAnotherThread() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            java.util.Set<String> completedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.List<java.util.concurrent.CompletableFuture<Void>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(spool.acceptAsync(webhook("w" + i)).toCompletableFuture()
                    .thenRun(() -> completedOn.add(Thread.currentThread().getName())));
            }
            java.util.concurrent.CompletableFuture.allOf(all.toArray(java.util.concurrent.CompletableFuture[]::new))
                .get();
            // a continuation attached after its sync runs on this thread; every other one on the writer
            assertThat(completedOn).contains("atlas-spool-journal")
                .isSubsetOf("atlas-spool-journal", Thread.currentThread().getName());
        }
    }

    @Test
    void anAcceptanceThatCannotBeWrittenFailsAndLeavesNothing() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            assertThat(spool.writable()).isTrue();
            spool.journal().close();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> spool.accept(webhook("a")))
                .isInstanceOf(IOException.class).hasMessageContaining("journal is closed");
            assertThat(spool.depth()).isZero();
            assertThat(spool.due(NOW, 10)).isEmpty();
            assertThat(spool.writable()).as("readiness asks the journal too, not only the folder").isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> spool.accept(webhook("b")))
                .isInstanceOf(IOException.class).hasMessageContaining("not writable");
        }
    }

    /**
     * A spool key as the webhook relay makes it (64 hex characters, kept as numbers by the spool's tables) when
     * {@code asWebhook}, else {@code name} itself (a job result's key, kept as a string).
     */
    private static String key(String name, boolean asWebhook) {
        return asWebhook ? java.util.HexFormat.of().formatHex(SeenTable.digest(name)).repeat(2) : name;
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "webhook keys: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void afterARestartEveryAcceptedWebhookIsPendingAndADeliveredOneIsADuplicate(boolean webhookKeys)
        throws Exception {
        String kept = key("kept", webhookKeys);
        String retried = key("retried", webhookKeys);
        String sent = key("sent", webhookKeys);
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(webhook(kept));
            spool.accept(webhook(retried));
            spool.accept(webhook(sent));
            List<SpooledWebhook> due = spool.due(NOW, 10);
            spool.delivered(due.stream().filter(w -> w.key().equals(sent)).findFirst().orElseThrow());
            spool.retryLater(due.stream().filter(w -> w.key().equals(retried)).findFirst().orElseThrow()
                .failed(NOW.plusSeconds(30), "503 from the cloud"));
        }
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            assertThat(spool.depth()).isEqualTo(2);
            assertThat(bodies(spool.due(NOW, 10))).containsExactly("{\"key\":\"" + kept + "\"}");
            assertThat(spool.due(NOW.plusSeconds(31), 10)).singleElement().satisfies(w -> {
                assertThat(w.key()).isEqualTo(retried);
                assertThat(w.attempts()).isEqualTo(1);
                assertThat(w.lastError()).contains("503 from the cloud");
                assertThat(new String(w.body(), StandardCharsets.UTF_8)).isEqualTo("{\"key\":\"" + retried + "\"}");
            });
            assertThat(spool.accept(webhook(sent))).isEqualTo(Acceptance.DUPLICATE);
        }
    }

    @Test
    void aDeliveryStopsBeingADuplicateOnceOlderThanThePruneCutoff() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(webhook("a"));
            spool.delivered(spool.due(NOW, 10).get(0));
            assertThat(spool.accept(webhook("a"))).isEqualTo(Acceptance.DUPLICATE);
            spool.prune(Instant.now().plusSeconds(1)); // maxAge has passed since the delivery
            assertThat(spool.accept(webhook("a"))).isEqualTo(Acceptance.SPOOLED);
        }
    }

    @Test
    void aDeadLetterIsADuplicateAndReplayingItPutsItBackThroughTheJournal() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(webhook("a"));
            spool.deadLetter(spool.due(NOW, 10).get(0).failed(NOW, "410 Gone"), "410 Gone");
            assertThat(spool.depth()).isZero();
            assertThat(spool.accept(webhook("a"))).isEqualTo(Acceptance.DUPLICATE);
            assertThat(spool.deadLetters()).singleElement().satisfies(d -> assertThat(d.reason()).isEqualTo("410 Gone"));
        }
        // the CLI replays it without the owner's lock: the owner takes it in at its next scan
        try (FileWebhookSpool tools = FileWebhookSpool.openForTools(root)) {
            assertThat(tools.replay("id-a", NOW)).isTrue();
        }
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            assertThat(bodies(spool.due(NOW, 10))).containsExactly("{\"key\":\"a\"}");
            assertThat(root.resolve("pending/a.wh")).as("taken into the journal").doesNotExist();
            assertThat(spool.deadLetters()).isEmpty();
        }
        try (FileWebhookSpool tools = FileWebhookSpool.openForTools(root)) {
            assertThat(tools.depth()).as("the CLI reads the journal").isEqualTo(1);
        }
    }

    @Test
    void segmentsWhoseWebhooksWereAllDeliveredAreDeleted() throws Exception {
        int segment = 64 * 1024;
        try (FileWebhookSpool spool = FileWebhookSpool.open(root, segment)) {
            passThrough(spool, 6);
            assertThat(spool.depth()).isZero();
            // 480 KB went through 64 KB segments: the sealed ones are gone, the current one stays
            assertThat(spool.journal().segmentCount()).isLessThanOrEqualTo(2);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "webhook keys: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aLongRetryingWebhookIsCopiedForwardSoThatItsOldSegmentCanGo(boolean webhookKeys) throws Exception {
        int segment = 64 * 1024;
        String slowKey = key("slow", webhookKeys);
        try (FileWebhookSpool spool = FileWebhookSpool.open(root, segment)) {
            spool.accept(large(slowKey, 1024));
            SpooledWebhook slow = spool.due(NOW, 1).get(0);
            spool.retryLater(slow.failed(NOW.plusSeconds(3600), "timeout"));
            passThrough(spool, 8);
            assertThat(spool.journal().segmentCount()).as("no sealed segment kept for one webhook")
                .isLessThanOrEqualTo(4);
        }
        try (FileWebhookSpool spool = FileWebhookSpool.open(root, segment)) {
            assertThat(spool.depth()).isEqualTo(1);
            assertThat(spool.due(NOW.plusSeconds(3601), 10)).singleElement().satisfies(w -> {
                assertThat(w.key()).isEqualTo(slowKey);
                assertThat(w.attempts()).isEqualTo(1);
                assertThat(w.lastError()).contains("timeout");
                assertThat(w.body()).hasSize(1024);
            });
        }
    }

    private static SpooledWebhook arrivedAt(String key, Instant at) {
        return new SpooledWebhook(key, "id-" + key, "github", "gh-main", at, Optional.of("application/json"),
            Map.of(), key.getBytes(StandardCharsets.UTF_8), 0, at, Optional.empty(), Optional.empty());
    }

    private static List<String> keys(List<SpooledWebhook> due) {
        return due.stream().map(SpooledWebhook::key).toList();
    }

    @Test
    void newWebhooksLeaveOldestFirstAndARetryLeavesAmongThemByWhenItIsDue() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(arrivedAt("a", NOW));
            SpooledWebhook a = spool.due(NOW, 1).get(0);
            assertThat(a.key()).isEqualTo("a");
            assertThat(a.attempts()).isZero();
            assertThat(a.nextAttemptAt()).isEqualTo(NOW);
            spool.retryLater(a.failed(NOW.plusSeconds(3), "timeout"));
            spool.accept(arrivedAt("b", NOW.plusSeconds(2)));
            spool.accept(arrivedAt("c", NOW.plusSeconds(4)));
            spool.accept(arrivedAt("d", NOW.plusSeconds(5)));
            List<SpooledWebhook> due = spool.due(NOW.plusSeconds(10), 10);
            assertThat(keys(due)).as("a, due again at 3 s, after b (2 s) and before c (4 s) and d (5 s)")
                .containsExactly("b", "a", "c", "d");
            assertThat(due.get(1).attempts()).isEqualTo(1);
            assertThat(due.get(1).lastError()).contains("timeout");
            assertThat(spool.due(NOW.plusSeconds(10), 10)).as("each handed out once").isEmpty();
        }
    }

    @Test
    void aRetryIsHeldUntilItIsDueWhileNewWebhooksLeaveAtOnceEvenBehindOneStampedLaterByAClockSteppedBack()
        throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(arrivedAt("a", NOW));
            spool.retryLater(spool.due(NOW, 1).get(0).failed(NOW.plusSeconds(30), "503"));
            spool.accept(arrivedAt("stamped-later", NOW.plusSeconds(60)));
            spool.accept(arrivedAt("stamped-now", NOW));
            assertThat(keys(spool.due(NOW, 10))).as("accepted webhooks are due; the retry is not yet")
                .containsExactly("stamped-later", "stamped-now");
            assertThat(keys(spool.due(NOW.plusSeconds(30), 10))).containsExactly("a");
        }
    }

    @Test
    void aRetriedWebhookIsNotHandedOutAgainFromItsArrivalAndComesBackAfterARestartWithItsAttempts() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(arrivedAt("a", NOW));
            spool.accept(arrivedAt("b", NOW));
            List<SpooledWebhook> both = spool.due(NOW, 10);
            assertThat(keys(both)).containsExactly("a", "b");
            spool.retryLater(both.get(0).failed(NOW.plusSeconds(60), "503"));
            spool.delivered(both.get(1));
            assertThat(spool.due(NOW.plusSeconds(59), 10)).isEmpty();
            assertThat(spool.depth()).isEqualTo(1);
            spool.journal().writable(5_000); // the retry's state record is written with the next batch
        }
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(arrivedAt("c", NOW.plusSeconds(1)));
            assertThat(keys(spool.due(NOW.plusSeconds(59), 10))).as("c is new; a waits for its retry")
                .containsExactly("c");
            assertThat(spool.due(NOW.plusSeconds(60), 10)).singleElement().satisfies(w -> {
                assertThat(w.key()).isEqualTo("a");
                assertThat(w.attempts()).isEqualTo(1);
            });
        }
    }

    @Test
    void whileFourThreadsAcceptAndTwoDeliverWithRetriesEveryWebhookIsHandedOutOnceAtATimeAndNoneIsLost()
        throws Exception {
        int accepted = 2_000;
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            java.util.concurrent.atomic.AtomicBoolean accepting = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.ConcurrentHashMap<String, Integer> deliveries = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.Set<String> out = java.util.concurrent.ConcurrentHashMap.newKeySet();
            List<String> doubleHandOuts = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> acceptors = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                acceptors.add(pool.submit(() -> {
                    for (int i = thread; i < accepted; i += 4) {
                        // both kinds of key: a webhook's (kept as numbers) and any other (kept as a string)
                        assertThat(spool.accept(arrivedAt(key("k" + i, i % 2 == 0), NOW)))
                            .isEqualTo(Acceptance.SPOOLED);
                    }
                    return null;
                }));
            }
            List<Future<?>> deliverers = new ArrayList<>();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            for (int t = 0; t < 2; t++) {
                deliverers.add(pool.submit(() -> {
                    // every third first attempt fails and is due again at once, as a retry
                    while ((accepting.get() || spool.depth() > 0) && System.nanoTime() < deadline) {
                        for (SpooledWebhook w : spool.due(NOW.plusSeconds(1), 16)) {
                            if (!out.add(w.key())) {
                                doubleHandOuts.add(w.key());
                            }
                            boolean retry = w.attempts() == 0 && w.key().hashCode() % 3 == 0;
                            if (!retry) {
                                deliveries.merge(w.key(), 1, Integer::sum);
                            }
                            out.remove(w.key()); // before it is handed back: it may go out again at once
                            if (retry) {
                                spool.retryLater(w.failed(NOW, "503"));
                            } else {
                                spool.delivered(w);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : acceptors) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            accepting.set(false);
            for (Future<?> f : deliverers) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(spool.depth()).as("webhooks left pending and never due again").isZero();
            assertThat(doubleHandOuts).as("a webhook handed to two deliverers at once").isEmpty();
            assertThat(deliveries).hasSize(accepted);
            assertThat(deliveries.values()).as("each delivered exactly once").containsOnly(1);
            assertThat(spool.due(NOW.plusSeconds(10), 10)).isEmpty();
        }
    }

    /** Accepts and delivers {@code rounds} rounds of ten 8 KB webhooks, then waits for the journal to write it all. */
    private static void passThrough(FileWebhookSpool spool, int rounds) throws IOException {
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < 10; i++) {
                spool.accept(large(key("r" + round + "-" + i, i % 2 == 1), 8 * 1024)); // both kinds of key
            }
            for (SpooledWebhook w : spool.due(NOW, 100)) {
                spool.delivered(w);
            }
        }
        spool.journal().flush();
    }

    private static SpooledWebhook large(String key, int size) {
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) 'x');
        return new SpooledWebhook(key, "id-" + key, "github", "gh-main", NOW, Optional.of("application/json"),
            Map.of(), body, 0, NOW, Optional.empty(), Optional.empty());
    }

    @Test
    void aJournalRecordIsLengthChecksumTypeKeyThenTheStoredContentByteForByte() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(webhook("fmt"));
        }
        java.nio.ByteBuffer record = java.nio.ByteBuffer.wrap(Files.readAllBytes(segments().get(0)));
        int length = record.getInt(0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(record.array(), 8, length);
        assertThat(record.getInt(4)).as("checksum of everything after it").isEqualTo((int) crc.getValue());
        assertThat(record.get(8)).as("ACCEPT").isEqualTo((byte) 1);
        short keyLength = record.getShort(9);
        assertThat(new String(record.array(), 11, keyLength, StandardCharsets.UTF_8)).isEqualTo("fmt");
        String content = new String(record.array(), 11 + keyLength, length - 3 - keyLength, StandardCharsets.UTF_8);
        assertThat(content).startsWith("{\"key\":\"fmt\",\"id\":\"id-fmt\"").endsWith("}\n{\"key\":\"fmt\"}");
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
        java.util.Arrays.fill(torn, end - 3, end, (byte) 0); // zeros where a crash mid-write left blocks unwritten
        Files.write(segment, torn);
        assertThat(SpoolJournal.replay(segment)).extracting(SpoolJournal.Entry::key).containsExactly("whole");
        Files.write(segment, java.util.Arrays.copyOf(bytes, end - 5)); // the file cut short inside the second record
        assertThat(SpoolJournal.replay(segment)).extracting(SpoolJournal.Entry::key).containsExactly("whole");
        bytes[end - 1] ^= 1; // a flipped bit fails the checksum
        Files.write(segment, bytes);
        assertThat(SpoolJournal.replay(segment)).extracting(SpoolJournal.Entry::key).containsExactly("whole");
    }

    @Test
    void aWebhookAcceptedBehindABacklogLargerThanTheCacheIsNotHeldWholeEvenWithRoomAndIsDeliveredFromTheJournal()
        throws Exception {
        long cost = "{\"key\":\"w0\"}".length() + 1024;
        try (FileWebhookSpool spool = FileWebhookSpool.open(root, SpoolJournal.SEGMENT_BYTES, 3 * cost)) {
            for (int i = 0; i < 5; i++) {
                spool.accept(webhook("w" + i));
            }
            assertThat(spool.holdsWhole("w2")).as("three fit").isTrue();
            assertThat(spool.holdsWhole("w3")).isFalse();
            spool.delivered(spool.due(NOW, 1).get(0)); // w0: room for one again, four still pending
            spool.accept(webhook("w5"));
            assertThat(spool.holdsWhole("w5")).as("five pending ahead of it and with it").isFalse();

            List<SpooledWebhook> due = spool.due(NOW, 10);
            assertThat(bodies(due)).containsExactly("{\"key\":\"w1\"}", "{\"key\":\"w2\"}", "{\"key\":\"w3\"}",
                "{\"key\":\"w4\"}", "{\"key\":\"w5\"}");
            for (SpooledWebhook webhook : due) {
                spool.delivered(webhook);
            }
            spool.accept(webhook("w6"));
            assertThat(spool.holdsWhole("w6")).as("the backlog gone").isTrue();
        }
    }

    @Test
    void deliveryReadsTheBodyOnceTheCacheNoLongerHoldsIt() throws Exception {
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(webhook("a"));
        }
        // a new process: nothing cached, the body comes from the journal
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            assertThat(bodies(spool.due(NOW, 10))).containsExactly("{\"key\":\"a\"}");
        }
    }

    @Test
    void everyHeaderFieldComesBackAfterARestartEvenWithQuotesAndNonAsciiInTheRelayedHeaders() throws Exception {
        SpooledWebhook odd = new SpooledWebhook("odd", "id-odd", "gitlab", "gl-main", NOW, Optional.empty(),
            Map.of("X-Gitlab-Event", "Push \"Hook\" \u00e9\u4e2d", "X-Gitlab-Instance", "https://gitlab.example"),
            "{}".getBytes(StandardCharsets.UTF_8), 0, NOW, Optional.empty(),
            Optional.of(java.net.URI.create("https://asgard.example/services/webhooks/gitlab/")));
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(odd);
        }
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            SpooledWebhook back = spool.due(NOW, 10).get(0);
            assertThat(back.key()).isEqualTo("odd");
            assertThat(back.id()).isEqualTo("id-odd");
            assertThat(back.vcs()).isEqualTo("gitlab");
            assertThat(back.appId()).isEqualTo("gl-main");
            assertThat(back.receivedAt()).isEqualTo(NOW);
            assertThat(back.contentType()).isEmpty();
            assertThat(back.headers()).isEqualTo(odd.headers());
            assertThat(back.target()).isEqualTo(odd.target());
        }
    }

    @Test
    void webhooksAcceptedOneAfterAnotherOnOneThreadEachComeBackWithTheirOwnHeadersLargeOrSmall() throws Exception {
        // the header line is written into a buffer the accepting thread keeps: nothing of one may reach the next
        SpooledWebhook large = new SpooledWebhook("large", "id-large", "github", "gh-main", NOW, Optional.empty(),
            Map.of("X-GitHub-Event", "push", "X-Long", "v".repeat(40_000)), "{\"n\":1}".getBytes(StandardCharsets.UTF_8),
            0, NOW, Optional.empty(), Optional.empty());
        SpooledWebhook small = new SpooledWebhook("small", "id-small", "github", "gh-main", NOW, Optional.empty(),
            Map.of("X-GitHub-Event", "ping"), "{\"n\":2}".getBytes(StandardCharsets.UTF_8), 0, NOW, Optional.empty(),
            Optional.empty());
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            spool.accept(webhook("first"));
            spool.accept(large);
            spool.accept(small);
        }
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            Map<String, SpooledWebhook> back = new java.util.HashMap<>();
            spool.due(NOW, 10).forEach(w -> back.put(w.key(), w));
            assertThat(back.keySet()).containsExactlyInAnyOrder("first", "large", "small");
            assertThat(back.get("large").headers()).isEqualTo(large.headers());
            assertThat(back.get("small").headers()).isEqualTo(small.headers());
            assertThat(back.get("first").headers()).isEqualTo(webhook("first").headers());
            assertThat(new String(back.get("small").body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":2}");
        }
    }

    @Test
    void aHandedInWebhookWhoseHeaderLineHasFieldsThisVersionDoesNotKnowIsTakenInAndOneLackingItsKeyIsNot()
        throws Exception {
        Files.createDirectories(root.resolve("pending"));
        // as a later version might write it: an extra object and array, fields in another order
        Files.writeString(root.resolve("pending/later.wh"), "{\"headers\":{\"X-GitHub-Event\":\"push\"},"
            + "\"future\":{\"a\":[1,{\"b\":2}]},\"appId\":\"gh-main\",\"vcs\":\"github\",\"id\":\"id-later\","
            + "\"key\":\"later\",\"receivedAt\":\"2026-01-01T00:00:00Z\",\"contentType\":\"application/json\"}\n{\"n\":1}");
        Files.writeString(root.resolve("pending/keyless.wh"), "{\"id\":\"id-keyless\",\"vcs\":\"github\","
            + "\"appId\":\"gh-main\",\"receivedAt\":\"2026-01-01T00:00:00Z\",\"headers\":{}}\n{}");
        try (FileWebhookSpool spool = FileWebhookSpool.open(root)) {
            List<SpooledWebhook> due = spool.due(NOW, 10);
            assertThat(due).singleElement().satisfies(w -> {
                assertThat(w.key()).isEqualTo("later");
                assertThat(w.headers()).containsExactly(Map.entry("X-GitHub-Event", "push"));
                assertThat(w.contentType()).contains("application/json");
                assertThat(new String(w.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
            });
            assertThat(root.resolve("pending/keyless.wh")).as("left where it is, not taken in").exists();
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("journal"))) {
            return files.sorted().filter(f -> f.toFile().length() > 0).toList();
        }
    }
}
