package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudSignerTest {

    @Test
    void signsLikeTheStandardWebhooksReferenceExample() {
        // the example of the Standard Webhooks specification: secret, id, timestamp, payload and signature
        Secret secret = Secret.ofBytes(Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        Map<String, String> headers = new CloudSigner(secret).headers("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
            "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(headers).containsEntry("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
            .containsEntry("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
            .containsEntry("webhook-timestamp", "1614265330");
    }

    @Test
    void signsTheBodyAloneForReceiversWithoutTimestamps() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a well-known test vector
        Map<String, String> headers = new CloudSigner(Secret.of("key")).headers("id", 1,
            "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8));
        assertThat(headers).containsEntry("X-Atlas-Signature-256",
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    }

    @Test
    void twoSignersOnOneThreadEachSignWithTheirOwnSecret() {
        byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);
        CloudSigner key = new CloudSigner(Secret.of("key"));
        CloudSigner other = new CloudSigner(Secret.of("another secret"));
        String first = other.headers("id", 1, fox).get("X-Atlas-Signature-256");
        assertThat(key.headers("id", 1, fox)).containsEntry("X-Atlas-Signature-256",
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        assertThat(other.headers("id", 1, fox)).containsEntry("X-Atlas-Signature-256", first);
        assertThat(first).isNotEqualTo("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    }
}
