package dev.atlas.tasks;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.core.fakes.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

/** Sample tasks and cloud tokens for the task tests. */
final class TaskSamples {
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private TaskSamples() {
    }

    /** A config on the fake VCS and driver with the tasks section replaced by {@code tasks} (YAML under tasks:). */
    static String config(int port, String cloudUrl, String tasks, String extra) {
        String base = TestConfigs.valid(port, cloudUrl, extra);
        return base.replace("tasks:\n  driver: fake\n", "tasks:\n  driver: fake\n" + tasks);
    }

    /** An HS256 token as the cloud sends it (what {@code cloud.auth} of the test config accepts). */
    static String cloudToken() {
        return cloudToken("test-runner");
    }

    /** An HS256 token signed with the cloud's key for the runner {@code audience}. */
    static String cloudToken(String audience) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .subject("asgard").audience(audience).expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .build());
            jwt.sign(new MACSigner(TestConfigs.CLOUD_JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An analysis task for app fake-main with one analyzer; {@code cloudUrl} hosts the result URL. */
    static String analysis(String cloudUrl, String extraFields) {
        return """
            {"type": "analysis", "appId": "fake-main", "installationId": 42,
             "repository": {"cloneUrl": "https://vcs.example/acme/widgets.git", "ref": "main", "sha": "%s"},
             "resultUrl": "%s/results/t",
             "analyzers": [{"name": "lint", "image": "registry.example/lint:1", "command": ["lint", "--all"],
                            "cpu": "500m", "memory": "256Mi"}]%s}
            """.formatted(SHA, cloudUrl, extraFields);
    }

    /** A patch task that opens a pull request. */
    static String patch(String cloudUrl) {
        return """
            {"type": "patch", "appId": "fake-main",
             "repository": {"cloneUrl": "https://vcs.example/acme/widgets.git", "ref": "main", "sha": "%s"},
             "resultUrl": "%s/results/p",
             "patch": "--- a/x\\n+++ b/x\\n@@ -1 +1 @@\\n-a\\n+b\\n",
             "commit": {"branch": "atlas/fix-1", "message": "Fix it", "author": {"name": "Atlas", "email": "a@b.c"}},
             "pullRequest": {"title": "Fix it"}}
            """.formatted(SHA, cloudUrl);
    }
}
