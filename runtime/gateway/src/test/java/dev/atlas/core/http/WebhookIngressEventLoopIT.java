package dev.atlas.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

import dev.atlas.core.fakes.FakeCloud;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the file spool, the webhook route at its shipped path runs on the HTTP event loop (EventLoopHttpConsumer):
 * every answer it can give still comes out right (202 after the spool's sync, an admin's early answer, the JSON
 * 401), and routes at other paths still run on worker threads. An admin copy of the route tells which thread ran it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookIngressEventLoopIT {
    private FakeCloud cloud;
    private RunningAtlas atlas;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cloud = FakeCloud.start();
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("threads.camel.yaml"), """
            - route:
                id: webhook-ingress
                from:
                  uri: platform-http:/webhook/{vcs}/{appId}
                  parameters:
                    httpMethodRestrict: POST
                  steps:
                    - process: { ref: webhookApp }
                    - process: { ref: webhookVerify }
                    - setHeader: { name: X-Ingress-Thread, simple: "${threadName}" }
                    - filter:
                        simple: "${header.X-Fake-Kind} == 'ping'"
                        steps:
                          - setHeader: { name: CamelHttpResponseCode, constant: 204 }
                          - setBody: { constant: "" }
                          - stop: {}
                    - process: { ref: webhookSpool }
                    - setHeader: { name: X-Answer-Thread, simple: "${threadName}" }
            - route:
                id: acme-thread
                from:
                  uri: platform-http:/acme/thread
                  steps:
                    - setBody: { simple: "${threadName}" }
            """);
        // bodies up to 1 MiB: room for one above EventLoopHttpConsumer.LARGE_BODY_BYTES
        atlas = RunningAtlas.start(TestConfigs.write(dir, TestConfigs.valid(0, cloud.url(), "routes:\n  dir: routes\n")
            .replace("maxBodyBytes: 1024", "maxBodyBytes: 1048576")), Map.of());
    }

    @AfterAll
    void stop() {
        atlas.close();
        cloud.close();
    }

    private HttpResponse<String> hook(String kind, String token, String delivery) {
        return hook(kind, token, delivery, ("{\"d\":\"" + delivery + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> hook(String kind, String token, String delivery, byte[] body) {
        return atlas.post("/webhook/fakevcs/fake-main", body,
            "Content-Type", "application/json", "X-Fake-Token", token, "X-Fake-Delivery", delivery, "X-Fake-Kind", kind);
    }

    /** A push body just above what the event loop handles itself. */
    private static byte[] large(String delivery) {
        return ("{\"d\":\"" + delivery + "\",\"pad\":\"" + "x".repeat(EventLoopHttpConsumer.LARGE_BODY_BYTES) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    }

    private List<FakeCloud.Request> deliveries(String id) {
        return cloud.requests().stream().filter(r -> id.equals(r.header("webhook-id"))).toList();
    }

    @Test
    void acceptsAVerifiedWebhookOnTheEventLoopAnswering202OnlyAfterTheSpoolAndDeliversIt() {
        String delivery = UUID.randomUUID().toString();
        HttpResponse<String> response = hook("push", "hook-secret", delivery);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"id\":\"" + delivery + "\"}");
        assertThat(response.headers().firstValue("X-Ingress-Thread")).hasValueSatisfying(
            thread -> assertThat(thread).startsWith("vert.x-eventloop-thread"));
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(delivery).size() == 1);
        assertThat(hook("push", "hook-secret", delivery).body()).as("the same delivery again")
            .contains("\"duplicate\":true");
    }

    @Test
    void answersEveryKnownAnswerOverHttp11WithItsContentLengthNotAChunkedBody() throws Exception {
        // as a VCS posts: HTTP/1.1 (the shared test client would upgrade to HTTP/2, which has no chunked bodies)
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String delivery = UUID.randomUUID().toString();
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (String token : List.of("hook-secret", "hook-secret", "wrong")) {
            answers.add(http11.send(HttpRequest.newBuilder(URI.create(atlas.url("/webhook/fakevcs/fake-main")))
                .header("Content-Type", "application/json").header("X-Fake-Token", token)
                .header("X-Fake-Delivery", delivery).header("X-Fake-Kind", "push")
                .POST(HttpRequest.BodyPublishers.ofString("{\"d\":\"" + delivery + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()));
        }
        assertThat(answers).extracting(HttpResponse::statusCode).as("accepted, duplicate, refused")
            .containsExactly(202, 202, 401);
        assertThat(answers.get(1).body()).contains("\"duplicate\":true");
        for (HttpResponse<String> response : answers) {
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(response.headers().firstValue("Transfer-Encoding")).as(response.body()).isEmpty();
            assertThat(response.headers().firstValue("Content-Length")).as(response.body())
                .hasValue(Integer.toString(response.body().getBytes(StandardCharsets.UTF_8).length));
        }
    }

    @Test
    void continuesAfterTheSpoolsSyncOnTheSameEventLoopThatReadTheRequest() {
        HttpResponse<String> response = hook("push", "hook-secret", UUID.randomUUID().toString());
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("X-Answer-Thread")).as("the thread of the step after webhookSpool")
            .isEqualTo(response.headers().firstValue("X-Ingress-Thread"));
    }

    @Test
    void runsTheRouteOfALargeWebhookOnAWorkerSoThatItsHashingHoldsNoEventLoopAndStillDeliversItWhole() {
        String delivery = UUID.randomUUID().toString();
        byte[] body = large(delivery);
        HttpResponse<String> response = hook("push", "hook-secret", delivery, body);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("X-Ingress-Thread")).hasValueSatisfying(
            thread -> assertThat(thread).startsWith("vert.x-worker-thread"));
        // after the spool's sync: on webhookSpool's own pool, neither an event loop nor the journal's writer
        assertThat(response.headers().firstValue("X-Answer-Thread")).hasValueSatisfying(
            thread -> assertThat(thread).contains("webhook-continuations"));
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(delivery).size() == 1);
        assertThat(deliveries(delivery).get(0).body()).isEqualTo(body);
    }

    @Test
    void refusesALargeWebhookWithABadSignatureWithTheJsonErrorFromTheWorkerAndStoresNothing() {
        String delivery = UUID.randomUUID().toString();
        byte[] body = large(delivery);
        HttpResponse<String> response = hook("push", "wrong", delivery, body);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
            type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).contains("signature_rejected").doesNotContain("xxxx");
        // the same delivery id with the right token is then new: nothing of the refused one was stored
        assertThat(hook("push", "hook-secret", delivery, body).body()).isEqualTo("{\"id\":\"" + delivery + "\"}");
    }

    @Test
    void servesNewConnectionsFromEveryEventLoop() throws Exception {
        int loops = Runtime.getRuntime().availableProcessors();
        assumeTrue(loops >= 2, "one core: one event loop");
        Set<String> threads = new HashSet<>();
        for (int i = 0; i < 4 * loops; i++) {
            // a client of its own per request: each request comes on a new connection
            HttpClient client = HttpClient.newHttpClient();
            String delivery = UUID.randomUUID().toString();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(
                    atlas.url("/webhook/fakevcs/fake-main")))
                .header("Content-Type", "application/json").header("X-Fake-Token", "hook-secret")
                .header("X-Fake-Delivery", delivery).header("X-Fake-Kind", "push")
                .POST(HttpRequest.BodyPublishers.ofString("{\"d\":\"" + delivery + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(202);
            threads.add(response.headers().firstValue("X-Ingress-Thread").orElseThrow());
        }
        assertThat(threads).hasSize(loops).allMatch(thread -> thread.startsWith("vert.x-eventloop-thread"));
    }

    @Test
    void answersAnAdminsEarlyStopFromTheEventLoopWithoutStoringIt() {
        String ping = UUID.randomUUID().toString();
        HttpResponse<String> response = hook("ping", "hook-secret", ping);
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
        String push = UUID.randomUUID().toString();
        assertThat(hook("push", "hook-secret", push).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(push).size() == 1);
        assertThat(deliveries(ping)).isEmpty();
    }

    @Test
    void refusesABadSignatureWithTheJsonErrorFromTheEventLoop() {
        HttpResponse<String> response = hook("push", "wrong", UUID.randomUUID().toString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
            type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).contains("signature_rejected");
    }

    @Test
    void runsRoutesAtOtherPathsOnWorkerThreads() {
        HttpResponse<String> response = atlas.get("/acme/thread");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("vert.x-worker-thread");
    }
}
