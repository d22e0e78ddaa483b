package dev.atlas.tasks.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.core.fakes.FakeDriverFactory;
import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

/** Starts Atlas for the results tests and creates tasks through the task API, so their tokens are the real ones. */
final class ResultsHarness {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    /** {@code runner.cloudSecret} of the test config, decoded. */
    static final byte[] CLOUD_KEY = "secret-bytes-for-the-cloud".getBytes(StandardCharsets.UTF_8);
    static final int MAX_BYTES = 512;

    private ResultsHarness() {
    }

    /** A config on the fake VCS and driver, with results up to {@value #MAX_BYTES} bytes, sending to {@code cloud}. */
    static Path config(Path dir, String cloudUrl) {
        String yaml = TestConfigs.valid(0, cloudUrl, "webhooks:\n  maxAttempts: 5\n  maxBackoff: 2s\n")
            .replace("tasks:\n  driver: fake\n", "tasks:\n  driver: fake\n  results:\n    maxBytes: " + MAX_BYTES + "\n");
        return TestConfigs.write(dir, yaml);
    }

    static String taskId() {
        return "t-" + UUID.randomUUID();
    }

    /** Posts an analysis task whose results go to {@code {cloud}/results/{taskId}}; returns its job. */
    static JobSpec analysis(RunningAtlas atlas, String cloudUrl, String taskId) {
        return submit(atlas, taskId, """
            {"type": "analysis", "appId": "fake-main",
             "repository": {"cloneUrl": "https://vcs.example/acme/widgets.git", "ref": "main", "sha": "%s"},
             "resultUrl": "%s/results/%s",
             "analyzers": [{"name": "lint", "image": "registry.example/lint:1", "command": ["lint"], "cpu": "500m", "memory": "256Mi"}]}
            """.formatted(SHA, cloudUrl, taskId));
    }

    /** Posts a patch task that opens a pull request (its job has a proxy token). */
    static JobSpec patch(RunningAtlas atlas, String cloudUrl, String taskId) {
        return submit(atlas, taskId, """
            {"type": "patch", "appId": "fake-main",
             "repository": {"cloneUrl": "https://vcs.example/acme/widgets.git", "ref": "main", "sha": "%s"},
             "resultUrl": "%s/results/%s",
             "patch": "--- a/x\\n+++ b/x\\n@@ -1 +1 @@\\n-a\\n+b\\n",
             "commit": {"branch": "atlas/fix-1", "message": "Fix", "author": {"name": "A", "email": "a@b.c"}},
             "pullRequest": {"title": "Fix"}}
            """.formatted(SHA, cloudUrl, taskId));
    }

    private static JobSpec submit(RunningAtlas atlas, String taskId, String task) {
        HttpResponse<String> response = atlas.send(HttpRequest.newBuilder(URI.create(atlas.url("/api/tasks/" + taskId)))
            .POST(HttpRequest.BodyPublishers.ofString(task)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + cloudToken()).build());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("task not accepted: " + response.statusCode() + " " + response.body());
        }
        return FakeDriverFactory.JOBS.get(taskId);
    }

    static String secret(JobSpec job, String name) {
        return job.secretFiles().get(name).reveal();
    }

    /** Posts {@code body} as result {@code name} of {@code taskId} with {@code headers} (name/value pairs). */
    static HttpResponse<String> post(RunningAtlas atlas, String taskId, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(atlas.url("/jobs/" + taskId + "/results")))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(builder::header);
        return atlas.send(builder.build());
    }

    /** The usual headers of a result: its token, JSON, and its file name. */
    static Map<String, String> headers(String token, String name) {
        return Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json",
            "X-Atlas-Result-Name", name);
    }

    private static String cloudToken() {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .subject("asgard").audience("test-runner").expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .build());
            jwt.sign(new MACSigner(TestConfigs.CLOUD_JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
