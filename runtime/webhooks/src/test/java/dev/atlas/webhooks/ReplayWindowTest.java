package dev.atlas.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.core.outbox.ReplayWindow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both replay windows: a body is new once per app within the window, and a release undoes a claim. */
class ReplayWindowTest {
    private static final Duration WINDOW = Duration.ofDays(7);
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final byte[] BODY = "{\"action\":\"opened\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;

    static Stream<ReplayWindow> windows() throws Exception {
        return Stream.of(new FileReplayWindow(Files.createTempDirectory(dir, "w"), WINDOW),
            new MemoryReplayWindow(WINDOW, 1000));
    }

    @ParameterizedTest
    @MethodSource("windows")
    void refusesTheSameBodyForTheSameAppWithinTheWindowOnly(ReplayWindow window) throws Exception {
        assertThat(window.claim("gh-main", BODY, T0)).isTrue();
        assertThat(window.claim("gh-main", BODY, T0.plus(Duration.ofDays(6)))).isFalse();
        assertThat(window.claim("gh-other", BODY, T0.plusSeconds(1))).isTrue();
        assertThat(window.claim("gh-main", "{\"action\":\"closed\"}".getBytes(StandardCharsets.UTF_8), T0)).isTrue();
        assertThat(window.claim("gh-main", BODY, T0.plus(WINDOW).plusSeconds(1))).isTrue();
    }

    @org.junit.jupiter.api.Test
    void theFileWindowStillRefusesACapturedBodyAfterARestart() throws Exception {
        Path root = Files.createTempDirectory(dir, "restart");
        try (FileReplayWindow before = new FileReplayWindow(root, WINDOW)) {
            assertThat(before.claim("gh-main", BODY, T0)).isTrue();
        }
        try (FileReplayWindow after = new FileReplayWindow(root, WINDOW)) {
            assertThat(after.claim("gh-main", BODY, T0.plusSeconds(60))).as("replayed after the restart").isFalse();
            assertThat(after.claim("gh-other", BODY, T0.plusSeconds(60))).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("windows")
    void forgetsAReleasedClaimSoThatARetryOfAnUnstoredWebhookIsNew(ReplayWindow window) throws Exception {
        assertThat(window.claim("gh-main", BODY, T0)).isTrue();
        window.release("gh-main", BODY);
        assertThat(window.claim("gh-main", BODY, T0.plusSeconds(5))).isTrue();
    }

    @ParameterizedTest
    @MethodSource("windows")
    void prunesOnlyClaimsOlderThanTheWindow(ReplayWindow window) throws Exception {
        byte[] later = "{\"later\":true}".getBytes(StandardCharsets.UTF_8);
        window.claim("gh-main", BODY, T0);
        window.claim("gh-main", later, T0.plus(Duration.ofDays(3)));
        window.prune(T0.plus(WINDOW).plusSeconds(1));
        assertThat(window.claim("gh-main", later, T0.plus(WINDOW).plusSeconds(2))).isFalse();
        assertThat(window.claim("gh-main", BODY, T0.plus(WINDOW).plusSeconds(2))).isTrue();
    }

    @ParameterizedTest
    @MethodSource("windows")
    void letsExactlyOneOfManyIdenticalBodiesArrivingAtOnceThrough(ReplayWindow window) throws Exception {
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> claims = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<Boolean> claim = () -> {
                    start.await();
                    return window.claim("gh-main", BODY, T0);
                };
                claims.add(pool.submit(claim));
            }
            start.countDown();
            int won = 0;
            for (Future<Boolean> claim : claims) {
                won += claim.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void keepsTheFileWindowAcrossARestart() throws Exception {
        Path folder = Files.createTempDirectory(dir, "restart");
        assertThat(new FileReplayWindow(folder, WINDOW).claim("gh-main", BODY, T0)).isTrue();
        assertThat(new FileReplayWindow(folder, WINDOW).claim("gh-main", BODY, T0.plusSeconds(60))).isFalse();
    }

    @Test
    void boundsTheMemoryWindowByForgettingTheOldestBody() {
        MemoryReplayWindow window = new MemoryReplayWindow(WINDOW, 2);
        window.claim("a", BODY, T0);
        window.claim("b", BODY, T0.plusSeconds(1));
        window.claim("c", BODY, T0.plusSeconds(2));
        assertThat(window.claim("b", BODY, T0.plusSeconds(3))).isFalse();
        assertThat(window.claim("a", BODY, T0.plusSeconds(3))).isTrue();
    }
}
