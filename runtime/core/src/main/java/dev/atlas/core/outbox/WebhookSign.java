package dev.atlas.core.outbox;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * {@code webhookSign}, first step of a delivery route: writes the headers of this attempt as exchange headers,
 * the spooled webhook's relayed provider headers and {@code Content-Type}, {@code X-Atlas-Runner-Id},
 * {@code X-Atlas-App-Id}, {@code X-Atlas-Vcs} (relay only), {@code X-Atlas-Accepted-At} and the Standard Webhooks
 * signature of this attempt ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}) over the
 * spooled body exactly. {@link WebhookSend} sends those, plus any {@code X-} header an admin step set.
 */
public final class WebhookSign implements Processor {
    /** Exchange property: the headers this step wrote, as signed. */
    static final String SIGNED = "atlas.delivery.signed";

    private final CloudSigner signer;
    private final String runnerId;
    private final Clock clock;

    public WebhookSign(CloudSigner signer, String runnerId, Clock clock) {
        this.signer = signer;
        this.runnerId = runnerId;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        SpooledWebhook webhook = DeliveryRoute.webhook(exchange);
        Map<String, String> headers = new LinkedHashMap<>(webhook.headers());
        webhook.contentType().ifPresent(c -> headers.put("Content-Type", c));
        headers.put("X-Atlas-Runner-Id", runnerId);
        headers.put("X-Atlas-App-Id", webhook.appId());
        if (webhook.target().isEmpty()) {
            headers.put("X-Atlas-Vcs", webhook.vcs());
        }
        // webhook-timestamp is this attempt's (SPEC §4, so the cloud's freshness check holds on retries); this is
        // when Atlas first accepted the webhook, the same on every attempt
        headers.put("X-Atlas-Accepted-At", Long.toString(webhook.receivedAt().getEpochSecond()));
        headers.putAll(signer.headers(webhook.id(), clock.instant().getEpochSecond(), webhook.body()));
        Message message = exchange.getMessage();
        headers.forEach(message::setHeader);
        exchange.setProperty(SIGNED, Map.copyOf(headers));
    }
}
