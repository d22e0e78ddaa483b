package dev.atlas.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.keys.TokenRejected;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result token carries the task's resultUrl, so any replica can forward a result; it must stay on the cloud. */
class ResultTokenTest {
    private static final String ISSUER = "https://atlas.acme.example";
    private static final String CLOUD = "https://asgard.example";

    SigningKeys keys;
    TaskTokens tokens;

    @BeforeEach
    void setUp(@TempDir Path dir) throws Exception {
        keys = SigningKeys.open(dir, Clock.systemUTC());
        tokens = new TaskTokens(keys, URI.create(ISSUER), URI.create(CLOUD + "/api"), Clock.systemUTC());
    }

    private static Task task(String taskId) {
        return new Task(taskId, "analysis", "fake-main", Optional.empty(), Optional.empty(),
            Optional.of(URI.create(CLOUD + "/results/" + taskId)), Duration.ofMinutes(5),
            new Task.Analysis(List.of(), Optional.empty()), JsonNodeFactory.instance.objectNode());
    }

    @Test
    void carriesTheResultUrlToWhoeverVerifiesIt() throws Exception {
        TaskTokens.ResultGrant grant = tokens.verifyResultToken(tokens.resultToken(task("t-1")), "t-1");
        assertThat(grant.resultUrl()).isEqualTo(URI.create(CLOUD + "/results/t-1"));
        assertThat(grant.appId()).isEqualTo("fake-main");
        assertThat(grant.type()).isEqualTo("analysis");
    }

    @Test
    void refusesAResultTokenWhoseResultUrlLeavesTheCloudsOrigin() {
        String forged = sign("https://evil.example/results/t-1");
        assertThatThrownBy(() -> tokens.verifyResultToken(forged, "t-1")).isInstanceOf(TokenRejected.class)
            .hasMessageContaining("cloud's origin");
        String otherPort = sign("https://asgard.example:8443/results/t-1");
        assertThatThrownBy(() -> tokens.verifyResultToken(otherPort, "t-1")).isInstanceOf(TokenRejected.class);
    }

    @Test
    void refusesAResultTokenWithoutAResultUrl() {
        assertThatThrownBy(() -> tokens.verifyResultToken(sign(null), "t-1")).isInstanceOf(TokenRejected.class);
    }

    /** A result token signed with Atlas's own keys, as only Atlas could make it, with {@code resultUrl}. */
    private String sign(String resultUrl) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject("t-1").audience(CLOUD)
            .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)))
            .claim("app", "fake-main").claim("scope", "result:analysis").claim("task_type", "analysis");
        if (resultUrl != null) {
            claims.claim("result_url", resultUrl);
        }
        return keys.sign(claims.build(), TaskTokens.RESULT_TYPE);
    }
}
