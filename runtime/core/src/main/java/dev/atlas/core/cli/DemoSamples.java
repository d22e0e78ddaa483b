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
import dev.atlas.core.tasks.JobBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** The sample flows {@code atlas demo} sends through Atlas once it is up. */
final class DemoSamples {
    private static final Duration TASK_WAIT = Duration.ofSeconds(15);

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
     * local driver until it ends. Its analyzer only counts the bytes of its {@code task.json}.
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
                            "command": ["sh", "-c", "echo analysed $(wc -c < \\"$ATLAS_TASK_DIR/task.json\\") bytes"]}]}
            """.formatted(cloud.url(), taskId);
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
            String state = status.path("state").asText();
            if (state.equals("succeeded") || state.equals("failed") || state.equals("cancelled")) {
                break;
            }
            Thread.sleep(200);
        }
        out.println("sample task " + taskId + ": " + (status == null ? "no status" : status.path("state").asText()
            + " (" + status.path("detail").asText() + ")"));
        Path log = dir.resolve("data/plugins/driver-local/jobs").resolve(JobBuilder.jobName(taskId))
            .resolve("logs/count.log");
        if (Files.isReadable(log)) {
            out.println("sample task " + taskId + " output: " + Files.readString(log, StandardCharsets.UTF_8).trim());
        }
    }

    static String cloudToken(String secret) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject("demo-cloud")
            .audience("demo-runner").expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
