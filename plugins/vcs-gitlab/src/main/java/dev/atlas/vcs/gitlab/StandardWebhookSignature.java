package dev.atlas.vcs.gitlab;

import dev.atlas.api.Secret;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Standard Webhooks signatures as GitLab 19 sends them with an HMAC signing token: {@code webhook-signature:
 * v1,<base64 HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")>} (a space-separated list during key
 * rotation; any {@code v1} entry may match), with the timestamp within five minutes of our clock either way.
 */
final class StandardWebhookSignature {
    static final String PREFIX = "whsec_";
    static final Duration TOLERANCE = Duration.ofMinutes(5);
    static final String STALE = "stale_timestamp";

    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");
    private static final int MIN_KEY_BYTES = 16;

    private StandardWebhookSignature() {
    }

    /** The key bytes of a {@code whsec_<base64>} secret. */
    static Secret decodeSecret(String secret) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a whsec_ secret must be followed by base64");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a whsec_ secret must decode to at least " + MIN_KEY_BYTES + " bytes");
        }
        return Secret.ofBytes(key);
    }

    /** Empty when the signature holds; otherwise the rejection reason. */
    static Optional<String> check(HttpHeaders headers, byte[] body, Secret key, Clock clock) {
        List<String> signatures = headers.allValues("webhook-signature");
        if (signatures.size() == 1 && signatures.get(0).isBlank() || signatures.isEmpty()) {
            return Optional.of(GitlabWebhooks.MISSING);
        }
        List<String> ids = headers.allValues("webhook-id");
        List<String> timestamps = headers.allValues("webhook-timestamp");
        // One header line each: a second line would leave open which value was signed.
        if (signatures.size() > 1 || ids.size() != 1 || timestamps.size() != 1) {
            return Optional.of(GitlabWebhooks.MALFORMED);
        }
        String id = ids.get(0).strip();
        String timestamp = timestamps.get(0).strip();
        // The signed content joins id and timestamp with dots, so neither may contain one.
        if (id.isEmpty() || id.contains(".") || !TIMESTAMP.matcher(timestamp).matches()) {
            return Optional.of(GitlabWebhooks.MALFORMED);
        }
        long age = clock.instant().getEpochSecond() - Long.parseLong(timestamp);
        if (Math.abs(age) > TOLERANCE.toSeconds()) {
            return Optional.of(STALE);
        }
        byte[] expected = hmac(key.bytes(), signedContent(id, timestamp, body));
        boolean sawV1 = false;
        boolean matched = false;
        for (String entry : signatures.get(0).strip().split(" ")) {
            if (!entry.startsWith("v1,")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(entry.substring(3));
            } catch (IllegalArgumentException e) {
                continue;
            }
            sawV1 = true;
            matched |= MessageDigest.isEqual(expected, given);
        }
        if (!sawV1) {
            return Optional.of(GitlabWebhooks.MALFORMED);
        }
        return matched ? Optional.empty() : Optional.of(GitlabWebhooks.BAD);
    }

    static byte[] signedContent(String id, String timestamp, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] hmac(byte[] key, byte[] content) {
        return dev.atlas.plugin.support.HubSignature.hmacSha256(key, content);
    }
}
