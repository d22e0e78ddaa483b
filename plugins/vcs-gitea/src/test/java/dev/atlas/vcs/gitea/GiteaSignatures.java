package dev.atlas.vcs.gitea;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Signs test webhooks the way Gitea's deliverer does: lowercase hex HMAC-SHA256 of the raw body. */
final class GiteaSignatures {
    private GiteaSignatures() {
    }

    static String sign(String secret, byte[] body) {
        return HexFormat.of().formatHex(GiteaWebhooks.hmacSha256(secret.getBytes(StandardCharsets.UTF_8), body));
    }
}
