package dev.atlas.vcs.gitea;

import dev.atlas.api.Secret;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import java.util.Map;
import java.net.http.HttpHeaders;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies Gitea and Forgejo webhooks. Both sign the raw body with HMAC-SHA256 under the webhook's secret and send
 * the MAC as bare hex, without prefix: Gitea in {@code X-Gitea-Signature}, Forgejo in {@code X-Forgejo-Signature}
 * and, for compatibility, in {@code X-Gitea-Signature} too. Every one of the two headers that is present must hold
 * the MAC of this body; at least one must be present. (Gitea also sends {@code X-Hub-Signature-256: sha256=...}
 * with the same MAC; the native headers are the ones Gitea documents, so they are the ones checked.) Stateless,
 * thread-safe, no I/O.
 */
final class GiteaWebhooks {
    static final String MISSING = "missing_signature";
    static final String MALFORMED = "malformed_signature";
    static final String BAD = "bad_signature";

    static final List<String> SIGNATURE_HEADERS = List.of("X-Gitea-Signature", "X-Forgejo-Signature");

    /**
     * Event and delivery headers relayed to the cloud as received (Gitea, Forgejo and the Gogs-compatible set). The
     * GitHub-compatible {@code X-GitHub-*} copies are not relayed: the cloud tells the VCS by {@code X-Atlas-Vcs}.
     */
    static final Set<String> RELAYED = Set.of("x-gitea-event", "x-gitea-event-type", "x-gitea-delivery",
        "x-forgejo-event", "x-forgejo-event-type", "x-forgejo-delivery",
        "x-gogs-event", "x-gogs-event-type", "x-gogs-delivery", "user-agent");
    /** The event headers of Gitea, Forgejo and Gogs, in the order looked at. */
    private static final List<String> EVENT_HEADERS = List.of("x-gitea-event", "x-forgejo-event", "x-gogs-event");

    /** The event name of a spooled webhook from its relayed headers (lowercase names, see {@link #RELAYED}). */
    static Optional<String> event(Map<String, String> relayed) {
        return EVENT_HEADERS.stream().map(relayed::get).filter(java.util.Objects::nonNull).findFirst();
    }

    private static final int MAC_BYTES = 32;

    private GiteaWebhooks() {
    }

    static WebhookVerdict verify(WebhookRequest request, Secret webhookSecret) {
        HttpHeaders headers = request.headers();
        byte[] expected = null;
        boolean seen = false;
        for (String header : SIGNATURE_HEADERS) {
            List<String> values = headers.allValues(header);
            if (values.isEmpty()) {
                continue;
            }
            // two lines of one signature header leave open which one was meant
            if (values.size() > 1) {
                return WebhookVerdict.rejected(MALFORMED);
            }
            String value = values.get(0).strip();
            if (value.isEmpty()) {
                // Gitea sends the header empty when the hook has no secret
                continue;
            }
            byte[] given = decodeHex(value);
            if (given == null) {
                return WebhookVerdict.rejected(MALFORMED);
            }
            if (expected == null) {
                expected = hmacSha256(webhookSecret.bytes(), request.body());
            }
            if (webhookSecret.isEmpty() || !MessageDigest.isEqual(expected, given)) {
                return WebhookVerdict.rejected(BAD);
            }
            seen = true;
        }
        if (!seen) {
            return WebhookVerdict.rejected(MISSING);
        }
        return WebhookVerdict.accepted(first(headers, "X-Gitea-Delivery", "X-Forgejo-Delivery", "X-Gogs-Delivery"),
            first(headers, "X-Gitea-Event", "X-Forgejo-Event", "X-Gogs-Event"));
    }

    private static Optional<String> first(HttpHeaders headers, String... names) {
        for (String name : names) {
            Optional<String> value = headers.firstValue(name).map(String::strip).filter(v -> !v.isEmpty());
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.empty();
    }

    static byte[] hmacSha256(byte[] key, byte[] body) {
        // an empty key is refused by SecretKeySpec; such an app is refused by the host's config check anyway
        return dev.atlas.plugin.support.HubSignature.hmacSha256(key.length == 0 ? new byte[1] : key, body);
    }

    /** 64 ASCII hex digits (Gitea sends lowercase; case carries no meaning once decoded), else null. */
    private static byte[] decodeHex(String hex) {
        if (hex.length() != 2 * MAC_BYTES) {
            return null;
        }
        byte[] out = new byte[MAC_BYTES];
        for (int i = 0; i < MAC_BYTES; i++) {
            int hi = hexDigit(hex.charAt(2 * i));
            int lo = hexDigit(hex.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    /** ASCII only: {@link Character#digit} would also take non-ASCII digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
