package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.core.outbound.OutboundHttp;
import dev.atlas.core.outbound.OutboundNetwork;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code webhookSend} on its own against a Vert.x cloud on loopback: the spooled bytes with the signed headers and
 * the admin's {@code X-} headers only; a 2xx is a delivery, anything else a {@link DeliveryFailed} the delivery loop
 * records (retryable for timeouts, unreachable clouds and 5xx; not for a 4xx).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookSendTest {
    /** One request the cloud received. */
    record Seen(String uri, MultiMap headers, byte[] body) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile Consumer<HttpServerRequest> answer;
    private HttpServer cloud;

    @BeforeAll
    void start() {
        cloud = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            seen.add(new Seen(request.uri(), request.headers(), body.getBytes()));
            answer.accept(request);
        }));
        cloud.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void reset() {
        seen.clear();
        answer = request -> request.response().setStatusCode(202).end("{}");
    }

    @AfterAll
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private Exchange attempt(int port, Duration timeout) throws Exception {
        WebhookSend send = new WebhookSend(URI.create("http://127.0.0.1:" + port),
            new OutboundHttp(OutboundNetwork.direct(), () -> vertx), timeout);
        SpooledWebhook webhook = new SpooledWebhook("k-1", "d-1", "github", "gh-main", Instant.now(),
            Optional.of("application/json"), Map.of("X-GitHub-Event", "push"),
            "{\"ref\":\"main\"}".getBytes(StandardCharsets.UTF_8), 0, Instant.now(), Optional.empty(),
            Optional.empty());
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(DeliveryRoute.WEBHOOK, webhook);
        exchange.setProperty(WebhookSign.SIGNED, Map.of("X-GitHub-Event", "push", "Content-Type", "application/json",
            "webhook-id", "d-1", "webhook-signature", "v1,sig"));
        exchange.getMessage().setHeader("X-Acme-Env", "prod");
        exchange.getMessage().setHeader("AtlasAppId", "gh-main");
        exchange.getMessage().setHeader("X-Forwarded-Host", null);
        return send.processAsync(exchange).get(30, TimeUnit.SECONDS);
    }

    @Test
    void postsTheSpooledBytesWithTheSignedAndAdminHeadersOnly() throws Exception {
        Exchange done = attempt(cloud.actualPort(), Duration.ofSeconds(10));

        assertThat(done.getException()).isNull();
        assertThat(done.getProperty(WebhookSend.DELIVERED_STATUS)).isEqualTo(202);
        Seen post = seen.get(0);
        assertThat(post.uri()).isEqualTo("/services/webhooks/github/");
        assertThat(new String(post.body(), StandardCharsets.UTF_8)).isEqualTo("{\"ref\":\"main\"}");
        assertThat(post.headers().get("webhook-signature")).isEqualTo("v1,sig");
        assertThat(post.headers().getAll("X-GitHub-Event")).containsExactly("push");
        assertThat(post.headers().get("X-Acme-Env")).isEqualTo("prod");
        assertThat(post.headers().names()).map(String::toLowerCase).doesNotContain("atlasappid", "x-forwarded-host");
    }

    @Test
    void failsRetryablyOnA503AndForGoodOnA400() throws Exception {
        answer = request -> request.response().setStatusCode(503).end();
        assertThat(attempt(cloud.actualPort(), Duration.ofSeconds(10)).getException())
            .isInstanceOfSatisfying(DeliveryFailed.class, f -> assertThat(f.retryable()).isTrue());
        answer = request -> request.response().setStatusCode(400).end();
        assertThat(attempt(cloud.actualPort(), Duration.ofSeconds(10)).getException())
            .isInstanceOfSatisfying(DeliveryFailed.class, f -> assertThat(f.retryable()).isFalse());
    }

    @Test
    void failsRetryablyWhenTheCloudStaysSilent() throws Exception {
        answer = request -> {
            // never answers
        };
        assertThat(attempt(cloud.actualPort(), Duration.ofMillis(300)).getException())
            .isInstanceOfSatisfying(DeliveryFailed.class, f -> assertThat(f).hasMessageContaining("timed out")
                .satisfies(x -> assertThat(f.retryable()).isTrue()));
    }

    @Test
    void failsRetryablyWhenTheCloudCannotBeReached() throws Exception {
        HttpServer closed = vertx.createHttpServer().requestHandler(r -> r.response().end());
        int port = closed.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join().actualPort();
        closed.close().toCompletionStage().toCompletableFuture().join();

        assertThat(attempt(port, Duration.ofSeconds(10)).getException())
            .isInstanceOfSatisfying(DeliveryFailed.class, f -> assertThat(f).hasMessageContaining("cannot reach")
                .satisfies(x -> assertThat(f.retryable()).isTrue()));
    }
}
