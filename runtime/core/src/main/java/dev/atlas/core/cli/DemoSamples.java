package dev.atlas.core.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.core.boot.AtlasApplication;
import dev.atlas.core.demo.DemoSetup;
import dev.atlas.core.demo.SampleCloud;
import dev.atlas.core.http.JsonResponses;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;

/** The sample flows {@code atlas demo} sends through Atlas once it is up. */
final class DemoSamples {
    private static final Duration TASK_WAIT = Duration.ofSeconds(20);
    private static final Duration RESULT_WAIT = Duration.ofSeconds(3);
    /** The analyzer's script: the result file it writes is what the report step posts. */
    private static final String ANALYZER = "printf '{\"taskId\":\"%s\",\"type\":\"analysis\","
        + "\"status\":\"succeeded\",\"detail\":\"analysed %s bytes of task.json\"}' \"$ATLAS_TASK_ID\" "
        + "\"$(wc -c < \"$ATLAS_TASK_DIR/task.json\")\" > \"$ATLAS_RESULTS_DIR/count.json\"";

    private DemoSamples() {
    }

    static void run(AtlasApplication app, Path dir, String base, SampleCloud cloud, PrintWriter out) {
        try {
            dev.atlas.core.demo.DemoWebhookSample.run(dir, base, cloud, out);
        } catch (Exception e) {
            out.println("sample webhook failed: " + e.getMessage());
        }
        try {
            out.println();
            DemoProxySample.run(base, cloud, cloudToken(DemoSetup.readSecret(dir, "cloud-jwt-secret")), out);
        } catch (IOException | JOSEException e) {
            out.println("sample proxy calls failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.println();
            sampleTask(dir, base, cloud, out);
        } catch (IOException | JOSEException e) {
            out.println("sample task failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
    }

    /**
     * Submits one analysis task as the cloud would (bearer JWT, {@code POST /api/tasks/{id}}) and follows it on the
     * local driver until it ends. Its analyzer (in the sandbox, without network) counts the bytes of its
     * {@code task.json} and writes the count as a result file into {@code $ATLAS_RESULTS_DIR}; the job's
     * {@code report} step ({@code atlas report}) posts it to Atlas, which forwards it to the sample cloud.
     */
    private static void sampleTask(Path dir, String base, SampleCloud cloud, PrintWriter out)
        throws IOException, JOSEException, InterruptedException {
        String taskId = "demo-analysis-" + Instant.now().getEpochSecond();
        String task = """
            {"type": "analysis", "appId": "demo-github", "installationId": 1,
             "repository": {"cloneUrl": "%1$s/github/demo/sample.git", "ref": "main",
                            "sha": "0000000000000000000000000000000000000000"},
             "resultUrl": "%1$s/results/%2$s",
             "analyzers": [{"name": "count", "image": "busybox:1.36", "cpu": "100m", "memory": "64Mi",
                            "command": ["sh", "-c", %3$s]}]}
            """.formatted(cloud.url(), taskId, JsonResponses.MAPPER.writeValueAsString(ANALYZER));
        String token = "Bearer " + cloudToken(DemoSetup.readSecret(dir, "cloud-jwt-secret"));
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create(base + "/api/tasks/" + taskId);
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(uri).header("Authorization", token)
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(task)).build(),
            HttpResponse.BodyHandlers.ofString());
        out.println("sample task " + taskId + ": POST /api/tasks/" + taskId + " answered " + accepted.statusCode()
            + " " + accepted.body());
        if (accepted.statusCode() / 100 != 2) {
            return;
        }
        long deadline = System.nanoTime() + TASK_WAIT.toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Authorization", token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
            status = JsonResponses.MAPPER.readTree(response.body());
            String state = status.path("status").asText(status.path("state").asText());
            if (state.equals("succeeded") || state.equals("failed") || state.equals("cancelled")) {
                break;
            }
            Thread.sleep(200);
        }
        out.println("sample task " + taskId + ": " + (status == null ? "no status"
            : status.path("status").asText(status.path("state").asText()) + " (" + status.path("detail").asText()
            + ")"));
        SampleCloud.Received result = resultFor(cloud, "/results/" + taskId);
        out.println("sample task " + taskId + " result at the sample cloud: "
            + (result == null ? "none received" : result.bodyText()));
    }

    /** Waits a little for Atlas to forward the result (it does so after the job posted it). */
    private static SampleCloud.Received resultFor(SampleCloud cloud, String path) throws InterruptedException {
        long deadline = System.nanoTime() + RESULT_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            SampleCloud.Received next = cloud.received().poll(200, TimeUnit.MILLISECONDS);
            if (next != null && next.path().equals(path)) {
                return next;
            }
        }
        return null;
    }

    static String cloudToken(String secret) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject("demo-cloud")
            .audience("demo-runner").expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
