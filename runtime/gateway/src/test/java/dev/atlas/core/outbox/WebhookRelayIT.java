package dev.atlas.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.core.cli.AtlasCli;
import dev.atlas.core.fakes.FakeCloud;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook relay over real HTTP: a VCS posts to Atlas, a fake cloud receives what Atlas delivers. The same tests
 * run against each spool backend ({@link FileSpoolWebhookRelayIT}, {@link RabbitSpoolWebhookRelayIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebhookRelayIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] CLOUD_KEY = "secret-bytes-for-the-cloud".getBytes(StandardCharsets.UTF_8);

    FakeCloud cloud;
    RunningAtlas atlas;
    Path dir;
    Path config;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        cloud = FakeCloud.start();
        config = TestConfigs.write(dir, TestConfigs.valid(0, cloud.url(), spoolConfig()));
        atlas = RunningAtlas.start(config, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        atlas.close();
        cloud.close();
        cleanUp();
    }

    /** The {@code webhooks:} (and {@code rabbitmq:}) sections of the backend under test. */
    abstract String spoolConfig();

    /** How many webhooks wait in the spool now. */
    abstract long pendingCount() throws Exception;

    /** Removes what the backend left behind. */
    void cleanUp() throws Exception {
    }

    @BeforeEach
    void reset() {
        cloud.clear();
    }

    private HttpResponse<String> send(String path, byte[] body, String token, String delivery) {
        return atlas.post(path, body, "Content-Type", "application/json", "X-Fake-Token", token,
            "X-Fake-Delivery", delivery, "X-Fake-Event", "push", "X-Not-Relayed", "internal");
    }

    HttpResponse<String> sendValid(byte[] body, String delivery) {
        return send("/webhook/fakevcs/fake-main", body, "hook-secret", delivery);
    }

    List<FakeCloud.Request> deliveriesOf(String id) {
        return cloud.requests().stream().filter(r -> id.equals(r.header("webhook-id"))).toList();
    }


    @Test
    void relaysAVerifiedWebhookByteForByteWithSignaturesForTheCloud() throws Exception {
        byte[] body = "{\"ref\":\"refs/heads/main\",\"x\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        String delivery = UUID.randomUUID().toString();
        HttpResponse<String> response = sendValid(body, delivery);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).get("id").asText()).isEqualTo(delivery);

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(delivery).size() == 1);
        FakeCloud.Request got = deliveriesOf(delivery).get(0);
        assertThat(got.path()).isEqualTo("/services/webhooks/fakevcs/");
        assertThat(got.body()).isEqualTo(body);
        assertThat(got.header("content-type")).isEqualTo("application/json");
        assertThat(got.header("x-fake-event")).isEqualTo("push");
        assertThat(got.header("x-fake-delivery")).isEqualTo(delivery);
        assertThat(got.header("x-atlas-runner-id")).isEqualTo("test-runner");
        assertThat(got.header("x-atlas-app-id")).isEqualTo("fake-main");
        assertThat(got.header("x-atlas-vcs")).isEqualTo("fakevcs");
        assertThat(got.headers()).doesNotContainKeys("x-fake-token", "x-not-relayed");
        String timestamp = got.header("webhook-timestamp");
        assertThat(Long.parseLong(timestamp)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
        assertThat(got.header("webhook-signature")).isEqualTo("v1," + Base64.getEncoder().encodeToString(
            hmac((delivery + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body)));
        assertThat(got.header("x-atlas-signature-256")).isEqualTo("sha256=" + HexFormat.of().formatHex(hmac(body)));
    }

    @Test
    void rejectsAWrongSignatureWith401AndStoresNothing() throws Exception {
        long before = pendingCount();
        HttpResponse<String> response = send("/webhook/fakevcs/fake-main", "{}".getBytes(), "wrong", "d-wrong");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("signature_rejected");
        assertThat(pendingCount()).isEqualTo(before);
        assertThat(deliveriesOf("d-wrong")).isEmpty();
    }

    @Test
    void answers404ForAnUnknownAppOrAnAppOfAnotherVcs() {
        assertThat(send("/webhook/fakevcs/no-such-app", new byte[0], "hook-secret", "d1").statusCode()).isEqualTo(404);
        assertThat(send("/webhook/github/fake-main", new byte[0], "hook-secret", "d2").statusCode()).isEqualTo(404);
    }

    @Test
    void refusesABodyOverTheLimitWith413() {
        assertThat(sendValid(new byte[4096], "d-big").statusCode()).isEqualTo(413);
    }

    @Test
    void acceptsAnEmptyBodyAndRelaysNonJsonBytesUnchanged() {
        String empty = "d-empty-" + UUID.randomUUID();
        assertThat(sendValid(new byte[0], empty).statusCode()).isEqualTo(202);
        byte[] binary = {0, (byte) 0xff, (byte) 0xfe, 'a', '\n', (byte) 0x80};
        String raw = "d-raw-" + UUID.randomUUID();
        assertThat(sendValid(binary, raw).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(empty).size() == 1 && deliveriesOf(raw).size() == 1);
        assertThat(deliveriesOf(empty).get(0).body()).isEmpty();
        assertThat(deliveriesOf(raw).get(0).body()).isEqualTo(binary);
    }

    @Test
    void relaysAFormEncodedBodyByteForByte() {
        // GitHub repository webhooks default to application/x-www-form-urlencoded: the signature covers these bytes
        byte[] body = "payload=%7B%22zen%22%3A%22x%22%7D&b=1+2".getBytes(StandardCharsets.UTF_8);
        String delivery = "d-form-" + UUID.randomUUID();
        HttpResponse<String> response = atlas.post("/webhook/fakevcs/fake-main", body, "Content-Type",
            "application/x-www-form-urlencoded", "X-Fake-Token", "hook-secret", "X-Fake-Delivery", delivery);
        assertThat(response.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(delivery).size() == 1);
        assertThat(deliveriesOf(delivery).get(0).body()).isEqualTo(body);
        assertThat(deliveriesOf(delivery).get(0).header("content-type")).isEqualTo("application/x-www-form-urlencoded");
    }

    @Test
    void ignoresACallerSuppliedOriginalContentTypeHeader() {
        String delivery = "d-spoof-" + UUID.randomUUID();
        HttpResponse<String> response = atlas.post("/webhook/fakevcs/fake-main", uniqueBody(), "Content-Type",
            "application/json", "X-Atlas-Original-Content-Type", "text/evil", "X-Fake-Token", "hook-secret",
            "X-Fake-Delivery", delivery);
        assertThat(response.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(delivery).size() == 1);
        assertThat(deliveriesOf(delivery).get(0).header("content-type")).isEqualTo("application/json");
    }

    @Test
    void sendsARepeatedDeliveryOnlyOnce() throws Exception {
        String delivery = "d-dup-" + UUID.randomUUID();
        byte[] body = uniqueBody();
        assertThat(sendValid(body, delivery).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(delivery).size() == 1);
        HttpResponse<String> again = sendValid(body, delivery);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(again.body()).get("duplicate").asBoolean()).isTrue();
        // a later webhook is delivered after it: had the duplicate been queued, it would have gone out first
        String marker = "d-marker-" + UUID.randomUUID();
        sendValid(uniqueBody(), marker);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(marker).size() == 1);
        assertThat(deliveriesOf(delivery)).hasSize(1);
    }

    @Test
    void retriesA503AndDeliversOnce() {
        cloud.answer(503);
        String delivery = "d-retry-" + UUID.randomUUID();
        assertThat(sendValid(uniqueBody(), delivery).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(delivery).stream().anyMatch(r -> r.answered() == 200));
        assertThat(deliveriesOf(delivery)).extracting(FakeCloud.Request::answered).containsExactly(503, 200);
        // the attempt's timestamp is signed; when Atlas first accepted the webhook stays the same on every attempt
        assertThat(deliveriesOf(delivery)).extracting(r -> r.header("x-atlas-accepted-at")).doesNotContainNull()
            .containsOnly(deliveriesOf(delivery).get(0).header("x-atlas-accepted-at"));
        assertThat(atlas.get("/metrics").body()).contains("atlas_webhooks_retried_total")
            .contains("atlas_webhooks_delivered_total").contains("atlas_webhooks_spool_depth");
    }

    @Test
    void deadLettersAClientErrorAtOnceAndReplaysItOnRequest() throws Exception {
        cloud.answer(400);
        String delivery = "d-dead-" + UUID.randomUUID();
        assertThat(sendValid(uniqueBody(), delivery).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> cli("webhooks", "list", "--config", config.toString(), "--dead")
            .contains(delivery));
        assertThat(deliveriesOf(delivery)).hasSize(1);
        assertThat(cli("webhooks", "list", "--config", config.toString(), "--dead")).contains("cloud answered 400");

        assertThat(cli("webhooks", "replay", "--config", config.toString(), delivery)).contains("replayed " + delivery);
        await().atMost(Duration.ofSeconds(15)).until(() -> deliveriesOf(delivery).size() == 2);
        assertThat(deliveriesOf(delivery).get(1).answered()).isEqualTo(200);
        assertThat(cli("webhooks", "list", "--config", config.toString(), "--dead")).doesNotContain(delivery);
    }

    String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtlasCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return out + err.toString();
    }

    private static byte[] hmac(byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(CLOUD_KEY, "HmacSHA256"));
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }


    @Test
    void refusesACapturedBodySentAgainWithANewDeliveryIdNoneOrAnotherEvent() throws Exception {
        byte[] body = uniqueBody();
        String first = "d-orig-" + UUID.randomUUID();
        assertThat(sendValid(body, first).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(first).size() == 1);
        List<HttpResponse<String>> replays = List.of(
            sendValid(body, "d-replay-" + UUID.randomUUID()),
            atlas.post("/webhook/fakevcs/fake-main", body, "Content-Type", "application/json", "X-Fake-Token",
                "hook-secret", "X-Fake-Event", "push"),
            atlas.post("/webhook/fakevcs/fake-main", body, "Content-Type", "application/json", "X-Fake-Token",
                "hook-secret", "X-Fake-Delivery", "d-event-" + UUID.randomUUID(), "X-Fake-Event", "pull_request"));
        for (HttpResponse<String> replay : replays) {
            assertThat(replay.statusCode()).isEqualTo(202);
            assertThat(JSON.readTree(replay.body()).get("duplicate").asBoolean()).isTrue();
        }
        // a later webhook goes out after them: had a replay been queued, it would have gone out first
        String marker = "d-after-replays-" + UUID.randomUUID();
        sendValid(uniqueBody(), marker);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(marker).size() == 1);
        assertThat(cloud.requests()).filteredOn(r -> java.util.Arrays.equals(r.body(), body)).hasSize(1);
        assertThat(atlas.get("/metrics").body()).contains("reason=\"replayed_body\"");
    }

    @Test
    void relaysAGzipEncodedWebhookWithItsContentEncodingAndTheBytesAsReceived() throws Exception {
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(compressed)) {
            gzip.write(uniqueBody());
        }
        byte[] body = compressed.toByteArray();
        String delivery = "d-gzip-" + UUID.randomUUID();
        HttpResponse<String> response = atlas.post("/webhook/fakevcs/fake-main", body, "Content-Type",
            "application/json", "Content-Encoding", "gzip", "X-Fake-Token", "hook-secret", "X-Fake-Delivery", delivery);
        assertThat(response.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesOf(delivery).size() == 1);
        FakeCloud.Request got = deliveriesOf(delivery).get(0);
        assertThat(got.header("content-encoding")).isEqualTo("gzip");
        assertThat(got.body()).isEqualTo(body);
    }

    /** A body no other test sends: identical bodies are refused as replays within the replay window. */
    static byte[] uniqueBody() {
        return ("{\"test\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
