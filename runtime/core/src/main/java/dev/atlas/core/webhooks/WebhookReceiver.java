package dev.atlas.core.webhooks;

import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.JsonResponses;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.metrics.MicrometerMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhook/{vcs}/{appId}} ({@code webhookReceiver}): finds the app, lets its VCS plugin verify the
 * signature over the raw body, spools the webhook durably and only then answers 202 {@code {"id"}}. Unknown app or
 * an app of another VCS: 404. Bad signature: 401, nothing stored. Spool not writable: 503, so the VCS records a
 * failed delivery instead of a 202 for something not on disk. A repeated delivery id, or a body already accepted for
 * the app within {@code webhooks.replayWindow} whatever its headers ({@link ReplayWindow}): 202 {@code "duplicate":
 * true}, not stored again.
 */
public final class WebhookReceiver implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);
    /** Delivery ids used as {@code webhook-id} as they are; others are replaced by a hash (no '.' allowed there). */
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final Map<String, VcsProvider> providers;
    private final WebhookSpool spool;
    private final ReplayWindow replays;
    private final Runnable wakeDelivery;
    private final MicrometerMetrics metrics;
    private final Clock clock;

    public WebhookReceiver(Map<String, VcsProvider> providers, WebhookSpool spool, ReplayWindow replays,
        Runnable wakeDelivery, MicrometerMetrics metrics, Clock clock) {
        this.providers = providers;
        this.spool = spool;
        this.replays = replays;
        this.wakeDelivery = wakeDelivery;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        String[] segments = request.rawPath().split("/", -1);
        if (segments.length != 4 || !segments[1].equals("webhook")) {
            throw AtlasException.notFound("no such webhook endpoint");
        }
        String vcs = segments[2];
        String appId = segments[3];
        VcsProvider provider = providers.get(appId);
        if (provider == null || !provider.app().vcs().equals(vcs) || !(provider instanceof WebhookVerifier verifier)) {
            metrics.count("webhooks_rejected_total", "vcs", safeTag(vcs), "reason", "unknown_app");
            throw AtlasException.notFound("no " + safeTag(vcs) + " app with that id");
        }
        metrics.count("webhooks_received_total", "vcs", vcs, "app", appId);
        WebhookVerdict verdict = verifier.verify(new WebhookRequest(request.headers(), request.body()));
        if (verdict instanceof WebhookVerdict.Rejected rejected) {
            metrics.count("webhooks_rejected_total", "vcs", vcs, "reason", rejected.reason());
            LOG.info("webhook for {}/{} rejected: {}", vcs, appId, rejected.reason());
            throw new AtlasException(ErrorKind.SIGNATURE_REJECTED, "webhook signature rejected");
        }
        WebhookVerdict.Accepted accepted = (WebhookVerdict.Accepted) verdict;
        String id = accepted.deliveryId().map(WebhookReceiver::webhookId).orElseGet(() -> "atlas-" + UUID.randomUUID());
        Map<String, String> relayed = new LinkedHashMap<>();
        for (String name : verifier.relayedHeaders()) {
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

    /** A provider delivery id fit for {@code webhook-id} (Standard Webhooks forbids '.'). */
    static String webhookId(String deliveryId) {
        return PLAIN_ID.matcher(deliveryId).matches() ? deliveryId : "h-" + sha256(deliveryId).substring(0, 40);
    }

    /** The spool key: one per app and delivery id, safe as a file name. */
    static String key(String appId, String id) {
        return sha256(appId + "\n" + id);
    }

    private static String safeTag(String value) {
        return value.matches("[a-z0-9-]{1,32}") ? value : "other";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
