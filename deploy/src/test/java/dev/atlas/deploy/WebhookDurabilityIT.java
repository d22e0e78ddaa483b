package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing accepted is lost: the cloud is down, Atlas accepts a signed GitHub webhook (202) and is killed with
 * SIGKILL; the cloud comes up, Atlas starts again and delivers the webhook.
 */
class WebhookDurabilityIT {
    @TempDir
    Path dir;

    @Test
    void deliversAWebhookAcceptedBeforeAKill9AfterTheRestart() throws Exception {
        int port = Distribution.freePort();
        int cloudPort = Distribution.freePort();
        Path config = Distribution.githubConfig(dir, port, "http://127.0.0.1:" + cloudPort, "gh-hook-secret");
        String base = "http://127.0.0.1:" + port;
        byte[] body = "{\"zen\":\"Design for failure.\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8);

        Process first = Distribution.start(Map.of(), "run", "--config", config.toString());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);
            HttpResponse<String> accepted = Distribution.post(base + "/webhook/github/gh-main", body,
                "Content-Type", "application/json", "X-GitHub-Event", "ping", "X-GitHub-Delivery", "delivery-kill-9",
                "X-Hub-Signature-256", "sha256=" + hmacHex("gh-hook-secret", body));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        } finally {
            first.destroyForcibly(); // SIGKILL right after the 202
            first.waitFor(30, TimeUnit.SECONDS);
        }

        List<byte[]> received = new CopyOnWriteArrayList<>();
        List<String> ids = new CopyOnWriteArrayList<>();
        HttpServer cloud = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), cloudPort), 0);
        cloud.createContext("/services/webhooks/github/", exchange -> {
            received.add(exchange.getRequestBody().readAllBytes());
            ids.add(exchange.getRequestHeaders().getFirst("webhook-id"));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cloud.start();
        Process second = Distribution.start(Map.of(), "run", "--config", config.toString());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !received.isEmpty());
            assertThat(received.get(0)).isEqualTo(body);
            assertThat(ids).containsExactly("delivery-kill-9");
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
            cloud.stop(0);
        }
    }

    private static String hmacHex(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
