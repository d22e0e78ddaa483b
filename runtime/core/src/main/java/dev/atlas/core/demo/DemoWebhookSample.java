package dev.atlas.core.demo;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The demo's webhook flow: signs a sample GitHub {@code ping} the way GitHub does, posts it to Atlas, waits for the
 * sample cloud to receive Atlas's re-signed delivery and prints what arrived (signature values shortened).
 */
public final class DemoWebhookSample {
    private DemoWebhookSample() {
    }

    public static void run(Path dir, String base, SampleCloud cloud, PrintWriter out) throws Exception {
        String delivery = UUID.randomUUID().toString();
        // a ping of its own each run: Atlas refuses a body it already accepted (the replay window)
        byte[] body = ("{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1,\"hook\":{\"id\":\"" + delivery
            + "\"},\"repository\":{\"full_name\":\"acme/api\"}}").getBytes(StandardCharsets.UTF_8);
        String secret = DemoSetup.readSecret(dir, "github-webhook-secret");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base + "/webhook/github/demo-github"))
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", "ping")
            .header("X-GitHub-Delivery", delivery)
            .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        out.println();
        out.println("Sample webhook: POST /webhook/github/demo-github (X-GitHub-Event: ping, signed like GitHub)");
        out.println("  Atlas answered " + response.statusCode() + " " + response.body());
        SampleCloud.Received received = cloud.received().poll(15, TimeUnit.SECONDS);
        if (received == null) {
            out.println("  the sample cloud received nothing within 15 s (see the log)");
            return;
        }
        out.println("  the sample cloud received " + received.method() + " " + received.path() + " with:");
        Map<String, String> shown = new TreeMap<>();
        received.headers().forEach((name, values) -> {
            if (name.startsWith("x-") || name.startsWith("webhook-") || name.equals("content-type")) {
                String value = String.join(",", values);
                shown.put(name, name.contains("signature") && value.length() > 24 ? value.substring(0, 24) + "..." : value);
            }
        });
        shown.forEach((name, value) -> out.println("    " + name + ": " + value));
        out.println("    body: " + received.body().length + " bytes, identical to what was sent: "
            + java.util.Arrays.equals(received.body(), body));
    }
}
