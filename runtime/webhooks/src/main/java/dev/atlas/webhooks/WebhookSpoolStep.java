package dev.atlas.webhooks;

import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.AtlasHeaders;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.http.RequestLoop;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.outbox.ReplayWindow;
import dev.atlas.core.outbox.SpooledWebhook;
import dev.atlas.core.outbox.WebhookSpool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code webhookSpool}, last step of {@code webhook-ingress}: spools the verified webhook durably (the raw body as
 * received, its relayed headers, {@code Content-Encoding} included) and only then answers 202 {@code {"id"}}. Spool
 * not writable: 503, so the VCS records a failed delivery instead of a 202 for something not on disk. A repeated
 * delivery id, or a body already accepted for the app within {@code webhooks.replayWindow} whatever its headers
 * ({@link ReplayWindow}): 202 {@code "duplicate": true}, not stored again.
 *
 * <p>An asynchronous step: the exchange continues once the spool's group commit has synced the webhook
 * ({@link WebhookSpool#acceptAsync}), and no thread of this step waits for the sync. On an event loop (the file
 * spool's route) it continues on that loop ({@link RequestLoop}): the thread that completed the acceptance (the file
 * spool journal's writer) only hands each continuation over, and the answer is written without a further hop. Off an
 * event loop (an admin's {@code threads} step before this one) it continues on {@code offLoop}, never on the
 * completing thread, whose next sync would wait for the rest of the route.
 */
public final class WebhookSpoolStep extends AsyncProcessorSupport {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSpoolStep.class);
    private static final byte[] DUPLICATE_TAIL = "\",\"duplicate\":true}".getBytes(StandardCharsets.US_ASCII);

    private final WebhookSpool spool;
    private final ReplayWindow replays;
    private final Runnable wakeDelivery;
    private final MicrometerMetrics metrics;
    private final Clock clock;
    private final java.util.concurrent.Executor offLoop;

    /** @param offLoop runs the rest of the route after an acceptance completed later, when it was not asked on a loop */
    public WebhookSpoolStep(WebhookSpool spool, ReplayWindow replays, Runnable wakeDelivery, MicrometerMetrics metrics,
        Clock clock, java.util.concurrent.Executor offLoop) {
        this.spool = spool;
        this.replays = replays;
        this.wakeDelivery = wakeDelivery;
        this.metrics = metrics;
        this.clock = clock;
        this.offLoop = offLoop;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        InboundRequest request;
        SpooledWebhook webhook = null;
        WebhookVerdict.Accepted accepted;
        try {
            request = RequestCapture.of(exchange);
            VcsProvider provider = AtlasHeaders.required(exchange, WebhookApp.PROVIDER, VcsProvider.class,
                "webhookApp");
            accepted = AtlasHeaders.required(exchange, WebhookVerify.ACCEPTED, WebhookVerdict.Accepted.class,
                "webhookVerify");
            String id = AtlasHeaders.required(exchange, WebhookVerify.ID, String.class, "webhookVerify");
            webhook = webhook(request, provider, id, clock.instant());
            if (!replays.claim(webhook.appId(), request.body(), webhook.receivedAt())) {
                count("webhooks_duplicate_total", webhook.vcs(), "replayed_body");
                LOG.warn("webhook {} for {}/{} refused as a replay: the same body was accepted within the replay "
                    + "window", id, webhook.vcs(), webhook.appId());
                answer(exchange, id, true);
                callback.done(true);
                return true;
            }
        } catch (IOException | RuntimeException e) {
            exchange.setException(e instanceof IOException ? unavailable(webhook, e) : e);
            callback.done(true);
            return true;
        }
        SpooledWebhook spooled = webhook;
        java.util.function.BiConsumer<WebhookSpool.Acceptance, Throwable> then = (acceptance, failure) -> {
            // the loop may have served other requests meanwhile: this one's lines name this request
            MDC.put("requestId", request.requestId());
            try {
                finish(exchange, spooled, request, accepted, acceptance, failure);
            } catch (RuntimeException e) {
                exchange.setException(e);
            } finally {
                callback.done(false);
            }
        };
        // an answer known at once (a duplicate, a refusal) is given on this thread without a hop; a later one on the
        // event loop that read the request, else on offLoop: the completing thread only hands it over
        java.util.concurrent.CompletionStage<WebhookSpool.Acceptance> stored = spool.acceptAsync(webhook);
        if (stored.toCompletableFuture().isDone()) {
            stored.whenComplete(then);
        } else {
            stored.whenCompleteAsync(then, RequestLoop.current().orElse(offLoop));
        }
        return false;
    }

    private void finish(Exchange exchange, SpooledWebhook webhook, InboundRequest request,
        WebhookVerdict.Accepted accepted, WebhookSpool.Acceptance acceptance, Throwable failure) {
        if (failure != null) {
            replays.release(webhook.appId(), request.body());
            exchange.setException(unavailable(webhook, failure));
        } else if (acceptance == WebhookSpool.Acceptance.DUPLICATE) {
            // the delivery id was seen with another body: this body was not stored, so it stays unclaimed
            replays.release(webhook.appId(), request.body());
            count("webhooks_duplicate_total", webhook.vcs(), "delivery_id");
            answer(exchange, webhook.id(), true);
        } else {
            count("webhooks_spooled_total", webhook.vcs(), null);
            if (LOG.isInfoEnabled()) {
                LOG.info("webhook {} for {}/{} spooled ({} event, {} bytes)", webhook.id(), webhook.vcs(),
                    webhook.appId(), accepted.event().orElse("unknown"), request.body().length);
            }
            wakeDelivery.run();
            answer(exchange, webhook.id(), false);
        }
    }

    private static SpooledWebhook webhook(InboundRequest request, VcsProvider provider, String id, Instant now) {
        String appId = provider.app().appId();
        Map<String, String> relayed = new LinkedHashMap<>();
        for (String name : ((WebhookVerifier) provider).relayedHeaders()) {
            request.header(name).ifPresent(v -> relayed.put(name, v));
        }
        // the signature covered the bytes as they came, compressed or not: the cloud gets them with their encoding
        request.header("Content-Encoding").ifPresent(v -> relayed.put("content-encoding", v));
        return new SpooledWebhook(key(appId, id), id, provider.app().vcs(), appId, now,
            request.header("Content-Type"), relayed, request.body(), 0, now, Optional.empty());
    }

    private AtlasException unavailable(SpooledWebhook webhook, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
            ? c.getCause() : failure;
        count("webhooks_rejected_total", webhook.vcs(), "spool_unavailable");
        LOG.error("cannot spool webhook {} for {}/{}: {}", webhook.id(), webhook.vcs(), webhook.appId(),
            cause.toString());
        return AtlasException.unavailable("the webhook spool cannot store this webhook now", 10, cause);
    }

    /**
     * The 202 body, written without a JSON library: the id is {@link WebhookVerify#webhookId} (letters, digits,
     * '-' and '_' only) or a generated {@code atlas-<uuid>}, so it needs no escaping (anything else goes through
     * Jackson).
     */
    private static void answer(Exchange exchange, String id, boolean duplicate) {
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (!id.chars().allMatch(c -> c == '-' || c == '_' || Character.isLetterOrDigit(c) && c < 128)) {
            message.setBody(dev.atlas.core.http.JsonResponses.toBytes(duplicate
                ? Map.of("id", id, "duplicate", true) : Map.of("id", id)));
            return;
        }
        byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
        byte[] tail = duplicate ? DUPLICATE_TAIL : new byte[] {'"', '}'};
        byte[] body = new byte[7 + idBytes.length + tail.length];
        System.arraycopy("{\"id\":\"".getBytes(StandardCharsets.US_ASCII), 0, body, 0, 7);
        System.arraycopy(idBytes, 0, body, 7, idBytes.length);
        System.arraycopy(tail, 0, body, 7 + idBytes.length, tail.length);
        message.setBody(body);
    }

    private void count(String name, String vcs, String reason) {
        if (reason == null) {
            metrics.count(name, "vcs", vcs);
        } else {
            metrics.count(name, "vcs", vcs, "reason", reason);
        }
    }

    /** The spool key: one per app and delivery id, safe as a file name. */
    static String key(String appId, String id) {
        return WebhookVerify.sha256(appId + "\n" + id);
    }
}
