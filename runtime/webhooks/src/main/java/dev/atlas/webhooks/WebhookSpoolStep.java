package dev.atlas.webhooks;

import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.AtlasHeaders;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.JsonResponses;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.metrics.MicrometerMetrics;
import dev.atlas.core.outbox.ReplayWindow;
import dev.atlas.core.outbox.SpooledWebhook;
import dev.atlas.core.outbox.WebhookSpool;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code webhookSpool}, last step of {@code webhook-ingress}: spools the verified webhook durably (the raw body as
 * received, its relayed headers, {@code Content-Encoding} included) and only then answers 202 {@code {"id"}}. Spool
 * not writable: 503, so the VCS records a failed delivery instead of a 202 for something not on disk. A repeated
 * delivery id, or a body already accepted for the app within {@code webhooks.replayWindow} whatever its headers
 * ({@link ReplayWindow}): 202 {@code "duplicate": true}, not stored again.
 */
public final class WebhookSpoolStep implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSpoolStep.class);

    private final WebhookSpool spool;
    private final ReplayWindow replays;
    private final Runnable wakeDelivery;
    private final MicrometerMetrics metrics;
    private final Clock clock;

    public WebhookSpoolStep(WebhookSpool spool, ReplayWindow replays, Runnable wakeDelivery, MicrometerMetrics metrics,
        Clock clock) {
        this.spool = spool;
        this.replays = replays;
        this.wakeDelivery = wakeDelivery;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        VcsProvider provider = AtlasHeaders.required(exchange, WebhookApp.PROVIDER, VcsProvider.class, "webhookApp");
        WebhookVerdict.Accepted accepted = AtlasHeaders.required(exchange, WebhookVerify.ACCEPTED,
            WebhookVerdict.Accepted.class, "webhookVerify");
        String id = AtlasHeaders.required(exchange, WebhookVerify.ID, String.class, "webhookVerify");
        String vcs = provider.app().vcs();
        String appId = provider.app().appId();
        Map<String, String> relayed = new LinkedHashMap<>();
        for (String name : ((WebhookVerifier) provider).relayedHeaders()) {
            request.header(name).ifPresent(v -> relayed.put(name, v));
        }
        // the signature covered the bytes as they came, compressed or not: the cloud gets them with their encoding
        request.header("Content-Encoding").ifPresent(v -> relayed.put("content-encoding", v));
        var now = clock.instant();
        SpooledWebhook webhook = new SpooledWebhook(key(appId, id), id, vcs, appId, now,
            request.header("Content-Type"), relayed, request.body(), 0, now, Optional.empty());
        WebhookSpool.Acceptance acceptance;
        try {
            acceptance = replays.claim(appId, request.body(), now) ? spool.accept(webhook) : null;
        } catch (IOException | RuntimeException e) {
            replays.release(appId, request.body());
            metrics.count("webhooks_rejected_total", "vcs", vcs, "reason", "spool_unavailable");
            LOG.error("cannot spool webhook {} for {}/{}: {}", id, vcs, appId, e.toString());
            throw AtlasException.unavailable("the webhook spool cannot store this webhook now", 10, e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        if (acceptance == null) {
            metrics.count("webhooks_duplicate_total", "vcs", vcs, "reason", "replayed_body");
            LOG.warn("webhook {} for {}/{} refused as a replay: the same body was accepted within the replay window",
                id, vcs, appId);
            body.put("duplicate", true);
        } else if (acceptance == WebhookSpool.Acceptance.DUPLICATE) {
            // the delivery id was seen with another body: this body was not stored, so it stays unclaimed
            replays.release(appId, request.body());
            metrics.count("webhooks_duplicate_total", "vcs", vcs, "reason", "delivery_id");
            body.put("duplicate", true);
        } else {
            metrics.count("webhooks_spooled_total", "vcs", vcs);
            LOG.info("webhook {} for {}/{} spooled ({} event, {} bytes)", id, vcs, appId,
                accepted.event().orElse("unknown"), request.body().length);
            wakeDelivery.run();
        }
        JsonResponses.write(exchange, 202, body);
    }

    /** The spool key: one per app and delivery id, safe as a file name. */
    static String key(String appId, String id) {
        return WebhookVerify.sha256(appId + "\n" + id);
    }
}
