package dev.atlas.webhooks;

import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.AtlasHeaders;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.http.RequestCapture;
import dev.atlas.core.metrics.MicrometerMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code webhookVerify}: the app's VCS plugin verifies the signature (or token) over the raw body as received
 * (401 {@code signature_rejected} otherwise; nothing is stored). Then sets {@code AtlasAppId}, {@code AtlasVcs},
 * {@code AtlasEvent} and {@code AtlasDeliveryId} for the steps after it, and removes the provider's signature and
 * token headers from the exchange: no admin step after it can read or forward them.
 */
public final class WebhookVerify implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookVerify.class);
    /** Exchange property: the plugin's verdict. */
    static final String ACCEPTED = "atlas.webhook.accepted";
    /** Exchange property: the webhook's id (the dedup key; the header is the admin's copy). */
    static final String ID = "atlas.webhook.id";
    /** Delivery ids used as {@code webhook-id} as they are; others are replaced by a hash (no '.' allowed there). */
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    /** Words in the names of secret-bearing headers (GitHub/Bitbucket signatures, GitLab token, any credential). */
    private static final List<String> SECRET_WORDS = List.of("signature", "token", "secret", "authorization");
    /** For each ASCII character, the secret words it starts in either case (most: none). */
    private static final String[][] WORDS_BY_FIRST_LETTER = new String[0x80][];
    private static final String[] ANY_WORD = SECRET_WORDS.toArray(String[]::new);

    static {
        for (char c = 0; c < WORDS_BY_FIRST_LETTER.length; c++) {
            char letter = c;
            WORDS_BY_FIRST_LETTER[c] = SECRET_WORDS.stream()
                .filter(word -> Character.toLowerCase(word.charAt(0)) == Character.toLowerCase(letter))
                .toArray(String[]::new);
        }
    }

    private final MicrometerMetrics metrics;

    public WebhookVerify(MicrometerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        InboundRequest request = RequestCapture.of(exchange);
        VcsProvider provider = AtlasHeaders.required(exchange, WebhookApp.PROVIDER, VcsProvider.class, "webhookApp");
        WebhookVerifier verifier = (WebhookVerifier) provider;
        String vcs = provider.app().vcs();
        String appId = provider.app().appId();
        WebhookVerdict verdict = verifier.verify(new WebhookRequest(request.headers(), request.body()));
        if (verdict instanceof WebhookVerdict.Rejected rejected) {
            metrics.count("webhooks_rejected_total", "vcs", vcs, "reason", rejected.reason());
            LOG.info("webhook for {}/{} rejected: {}", vcs, appId, rejected.reason());
            throw new AtlasException(ErrorKind.SIGNATURE_REJECTED, "webhook signature rejected");
        }
        WebhookVerdict.Accepted accepted = (WebhookVerdict.Accepted) verdict;
        exchange.setProperty(ACCEPTED, accepted);
        Message message = exchange.getMessage();
        for (String name : List.copyOf(message.getHeaders().keySet())) {
            if (secret(name)) {
                message.removeHeader(name);
            }
        }
        message.setHeader(AtlasHeaders.APP_ID, appId);
        message.setHeader(AtlasHeaders.VCS, vcs);
        message.setHeader(AtlasHeaders.EVENT, accepted.event().orElse(""));
        String id = accepted.deliveryId().map(WebhookVerify::webhookId).orElseGet(() -> "atlas-" + UUID.randomUUID());
        exchange.setProperty(ID, id);
        message.setHeader(AtlasHeaders.DELIVERY_ID, id);
    }

    /**
     * Whether a header name holds one of {@link #SECRET_WORDS}, in any case ({@link String#regionMatches(boolean,
     * int, String, int, int)}'s sense): compared in place, with neither a regular expression nor a lower-cased copy
     * per header. It runs for every header of every webhook, so a position is compared only with the words its ASCII
     * character starts (mostly none); a character beyond ASCII with every word, as some fold to an ASCII letter.
     */
    static boolean secret(String name) {
        for (int at = 0; at < name.length(); at++) {
            char c = name.charAt(at);
            for (String word : c < WORDS_BY_FIRST_LETTER.length ? WORDS_BY_FIRST_LETTER[c] : ANY_WORD) {
                if (name.regionMatches(true, at, word, 0, word.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A provider delivery id fit for {@code webhook-id} (Standard Webhooks forbids '.'). */
    static String webhookId(String deliveryId) {
        return PLAIN_ID.matcher(deliveryId).matches() ? deliveryId : "h-" + sha256(deliveryId).substring(0, 40);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
