package dev.atlas.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.outbox.SpooledWebhook;
import dev.atlas.core.outbox.WebhookSpool;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code webhookSpool} answers only once the spool says the webhook is durable, and never a 202 when it is not. */
class WebhookSpoolStepTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final byte[] BODY = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** A spool whose acceptances complete when the test says so. */
    private static final class SlowSpool implements WebhookSpool {
        final CompletableFuture<Acceptance> durable = new CompletableFuture<>();

        @Override
        public Acceptance accept(SpooledWebhook webhook) {
            throw new UnsupportedOperationException("the step must not block on accept");
        }

        @Override
        public CompletionStage<Acceptance> acceptAsync(SpooledWebhook webhook) {
            return durable;
        }

        @Override
        public List<SpooledWebhook> due(Instant now, int limit) {
            return List.of();
        }

        @Override
        public void delivered(SpooledWebhook webhook) {
        }

        @Override
        public void retryLater(SpooledWebhook webhook) {
        }

        @Override
        public void deadLetter(SpooledWebhook webhook, String reason) {
        }

        @Override
        public List<DeadLetter> deadLetters() {
            return List.of();
        }

        @Override
        public boolean replay(String id, Instant now) {
            return false;
        }

        @Override
        public int depth() {
            return 0;
        }

        @Override
        public boolean writable() {
            return true;
        }

        @Override
        public void prune(Instant cutoff) {
        }

        @Override
        public void close() {
        }
    }

    private interface Provider extends VcsProvider, WebhookVerifier {
    }

    private final MicrometerMetrics metrics = new MicrometerMetrics();

    private Exchange exchange(String id) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        AppSettings app = new AppSettings("acme", "gh-main", "github", URI.create("https://vcs.example"),
            URI.create("https://vcs.example/api"), Secret.of("s"), Optional.empty(), "apps[0]");
        Provider provider = new Provider() {
            @Override
            public AppSettings app() {
                return app;
            }

            @Override
            public WebhookVerdict verify(WebhookRequest request) {
                return new WebhookVerdict.Accepted(Optional.of(id), Optional.of("push"));
            }

            @Override
            public Set<String> relayedHeaders() {
                return Set.of("X-GitHub-Event");
            }
        };
        exchange.setProperty(WebhookApp.PROVIDER, provider);
        exchange.setProperty(WebhookVerify.ACCEPTED, new WebhookVerdict.Accepted(Optional.of(id), Optional.of("push")));
        exchange.setProperty(WebhookVerify.ID, id);
        exchange.setProperty(InboundRequest.PROPERTY, new InboundRequest("r-1", "POST", "/webhook/github/gh-main",
            Optional.empty(), HttpHeaders.of(Map.of("X-GitHub-Event", List.of("push"),
                "Content-Type", List.of("application/json")), (k, v) -> true), BODY, "127.0.0.1"));
        return exchange;
    }

    private WebhookSpoolStep step(WebhookSpool spool, AtomicInteger wakes) throws IOException {
        return step(spool, wakes, Runnable::run);
    }

    private WebhookSpoolStep step(WebhookSpool spool, AtomicInteger wakes, java.util.concurrent.Executor offLoop)
        throws IOException {
        return new WebhookSpoolStep(spool, new FileReplayWindow(dir.resolve("bodies"), Duration.ofDays(7)),
            wakes::incrementAndGet, metrics, Clock.fixed(NOW, ZoneOffset.UTC), offLoop);
    }

    @Test
    void eachOutcomeIsCountedOnItsOwnSeries() throws Exception {
        SlowSpool spool = new SlowSpool();
        spool.durable.complete(WebhookSpool.Acceptance.SPOOLED);
        WebhookSpoolStep step = step(spool, new AtomicInteger());
        step.process(exchange("d-5"), doneSync -> { });
        step.process(exchange("d-6"), doneSync -> { }); // the same body again: a replay
        SlowSpool seen = new SlowSpool();
        seen.durable.complete(WebhookSpool.Acceptance.DUPLICATE); // the same delivery id with another body
        new WebhookSpoolStep(seen, new FileReplayWindow(dir.resolve("other-bodies"), Duration.ofDays(7)), () -> { },
            metrics, Clock.fixed(NOW, ZoneOffset.UTC), Runnable::run).process(exchange("d-5"), doneSync -> { });

        String scrape = metrics.scrape();
        assertThat(scrape).contains("atlas_webhooks_spooled_total{vcs=\"github\"} 1.0",
            "atlas_webhooks_duplicate_total{reason=\"replayed_body\",vcs=\"github\"} 1.0",
            "atlas_webhooks_duplicate_total{reason=\"delivery_id\",vcs=\"github\"} 1.0");
    }

    @Test
    void offAnEventLoopTheRestOfTheRouteIsHandedToItsExecutorNotRunOnTheThreadThatCompletedTheSync()
        throws Exception {
        SlowSpool spool = new SlowSpool();
        java.util.List<Runnable> handedOver = new java.util.ArrayList<>();
        Exchange exchange = exchange("d-9");
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        step(spool, new AtomicInteger(), handedOver::add).process(exchange, done::complete);
        // the spool's writer completes the sync: it must not run the route's completion itself
        spool.durable.complete(WebhookSpool.Acceptance.SPOOLED);
        assertThat(done).isNotDone();
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isNull();
        assertThat(handedOver).hasSize(1);
        handedOver.get(0).run();
        assertThat(done.get()).isFalse();
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(202);
    }

    @Test
    void theSpooledLineNamesItsOwnRequestWhenTheContinuationThreadServedAnotherMeanwhile() throws Exception {
        SlowSpool spool = new SlowSpool();
        java.util.List<Runnable> handedOver = new java.util.ArrayList<>();
        java.util.List<ch.qos.logback.classic.spi.ILoggingEvent> lines;
        try {
            lines = dev.atlas.testkit.LogLines.during(WebhookSpoolStep.class.getName(), () -> {
                step(spool, new AtomicInteger(), handedOver::add).process(exchange("d-11"), doneSync -> { });
                spool.durable.complete(WebhookSpool.Acceptance.SPOOLED);
                // the thread that runs the continuation served another request meanwhile
                org.slf4j.MDC.put("requestId", "r-served-meanwhile");
                handedOver.get(0).run();
            });
        } finally {
            org.slf4j.MDC.clear();
        }
        assertThat(lines).filteredOn(line -> line.getFormattedMessage().contains("spooled")).singleElement()
            .satisfies(line -> assertThat(line.getMDCPropertyMap()).containsEntry("requestId", "r-1"));
    }

    @Test
    void answers202OnlyOnceTheSpoolHasMadeTheWebhookDurable() throws Exception {
        SlowSpool spool = new SlowSpool();
        AtomicInteger wakes = new AtomicInteger();
        Exchange exchange = exchange("d-1");
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        boolean sync = step(spool, wakes).process(exchange, done::complete);
        assertThat(sync).isFalse();
        assertThat(done).isNotDone();
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isNull();
        spool.durable.complete(WebhookSpool.Acceptance.SPOOLED);
        assertThat(done.get()).isFalse();
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(202);
        assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("{\"id\":\"d-1\"}");
        assertThat(wakes).hasValue(1);
    }

    @Test
    void aFailedSyncAnswers503AndReleasesTheBodySoThatTheVcsMayRetry() throws Exception {
        SlowSpool spool = new SlowSpool();
        WebhookSpoolStep step = step(spool, new AtomicInteger());
        Exchange exchange = exchange("d-2");
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        step.process(exchange, done::complete);
        spool.durable.completeExceptionally(new IOException("disk gone"));
        done.get();
        assertThat(exchange.getException()).isInstanceOf(AtlasException.class)
            .hasMessageContaining("cannot store");
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isNull();
        // the same body comes back (the VCS retries): not taken for a replay
        SlowSpool healthy = new SlowSpool();
        healthy.durable.complete(WebhookSpool.Acceptance.SPOOLED);
        Exchange retried = exchange("d-2");
        new WebhookSpoolStep(healthy, new FileReplayWindow(dir.resolve("bodies"), Duration.ofDays(7)), () -> { },
            new MicrometerMetrics(), Clock.fixed(NOW, ZoneOffset.UTC), Runnable::run).process(retried, doneSync -> { });
        assertThat(retried.getMessage().getBody(String.class)).isEqualTo("{\"id\":\"d-2\"}");
    }

    @Test
    void aRepeatedBodyIsAnsweredDuplicateAtOnceWithoutTheSpool() throws Exception {
        SlowSpool spool = new SlowSpool();
        spool.durable.complete(WebhookSpool.Acceptance.SPOOLED);
        WebhookSpoolStep step = step(spool, new AtomicInteger());
        step.process(exchange("d-3"), doneSync -> { });
        Exchange replay = exchange("d-4");
        assertThat(step.process(replay, doneSync -> { })).isTrue();
        assertThat(replay.getMessage().getBody(String.class)).isEqualTo("{\"id\":\"d-4\",\"duplicate\":true}");
    }

    @ParameterizedTest
    @CsvSource({"X-Hub-Signature-256,true", "x-hub-signature,true", "X-Gitlab-Token,true", "Authorization,true",
        "X-Webhook-SECRET,true", "X-GitHub-Event,false", "X-GitHub-Delivery,false", "Content-Type,false",
        "X-Event-Key,false", "TOKEN,true", "Proxy-Authorization,true", "X-Signatur,false", "X-Tok-En,false",
        "SignatureX,true", "s,false", "'',false"})
    void removesExactlyTheSecretBearingHeadersAfterVerification(String header, boolean secret) {
        assertThat(WebhookVerify.secret(header)).isEqualTo(secret);
    }

    @Test
    void findsASecretWordWhereverACaseInsensitiveComparisonAtEveryPositionFindsOne() {
        // the reference: every word compared at every position; the names: the words and near misses in mixed
        // case at either end and inside, and characters beyond ASCII that fold to a word's letters (the long s, the
        // dotless i, the Kelvin sign) or look like them
        List<String> parts = List.of("signature", "SIGNATURE", "Token", "toke", "sEcReT", "secre", "Authorization",
            "authorizatio", "\u017figna\u0131ure", "\u017fecret", "\u212aey", "\u0131", "t\u00f6ken", "X-", "-", "a",
            "s", "t", "");
        List<String> words = List.of("signature", "token", "secret", "authorization");
        int checked = 0;
        for (String first : parts) {
            for (String second : parts) {
                for (String name : List.of(first + second, "X-" + first + "-" + second, second + "x" + first)) {
                    boolean expected = false;
                    for (int at = 0; at < name.length() && !expected; at++) {
                        for (String word : words) {
                            expected |= name.regionMatches(true, at, word, 0, word.length());
                        }
                    }
                    assertThat(WebhookVerify.secret(name)).as(name).isEqualTo(expected);
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(parts.size() * parts.size() * 3);
        assertThat(WebhookVerify.secret("X-Hub-\u017fignature")).isTrue();
    }
}
