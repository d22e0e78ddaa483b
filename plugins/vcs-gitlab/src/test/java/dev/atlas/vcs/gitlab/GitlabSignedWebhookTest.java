package dev.atlas.vcs.gitlab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.MutableClock;
import dev.atlas.testkit.TestHost;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** GitLab 19 HMAC signing tokens (Standard Webhooks), chosen by a {@code whsec_} webhook secret. */
class GitlabSignedWebhookTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String WHSEC = "whsec_" + Base64.getEncoder().encodeToString(KEY);
    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final byte[] BODY = "{\"object_kind\":\"merge_request\"}".getBytes(StandardCharsets.UTF_8);
    private static final String ID = "msg_2b8f";

    private final MutableClock clock = new MutableClock(NOW);
    private WebhookVerifier verifier;

    @BeforeEach
    void open() throws Exception {
        AppSettings app = new AppSettings("acme", "gl", "gitlab", URI.create("https://gitlab.example"),
            URI.create("https://gitlab.example/api/v4"), Secret.of(WHSEC), Optional.empty(), "installations[0].apps[0]");
        ProblemList problems = new ProblemList();
        VcsProvider provider = new GitlabVcsProviderFactory().configure(app,
            ConfigTrees.section("installations[0].apps[0].gitlab", Map.of("token", "glpat-x"), problems), problems);
        assertThat(problems.lines()).isEmpty();
        provider.open(new TestHost(clock, Files.createTempDirectory("gl")));
        verifier = (WebhookVerifier) provider;
    }

    static String sign(byte[] key, String id, long timestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(
            StandardWebhookSignature.hmac(key, StandardWebhookSignature.signedContent(id, Long.toString(timestamp), body)));
    }

    private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("webhook-id", List.of(id));
        h.put("webhook-timestamp", List.of(Long.toString(timestamp)));
        h.put("webhook-signature", List.of(signature));
        return h;
    }

    private WebhookVerdict verify(Map<String, List<String>> headers, byte[] body) {
        return verifier.verify(new WebhookRequest(HttpHeaders.of(headers, (k, v) -> true), body));
    }

    static Stream<Arguments> cases() {
        long ts = NOW.getEpochSecond();
        String good = sign(KEY, ID, ts, BODY);
        byte[] otherKey = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
        return Stream.of(
            Arguments.of("the right signature", headers(ID, ts, good), BODY, null),
            Arguments.of("a rotation list whose second entry is right",
                headers(ID, ts, sign(otherKey, ID, ts, BODY) + " " + good), BODY, null),
            Arguments.of("an asymmetric v1a entry next to the right v1", headers(ID, ts, "v1a,AAAA " + good), BODY, null),
            Arguments.of("a timestamp 299 s old", headers(ID, ts - 299, sign(KEY, ID, ts - 299, BODY)), BODY, null),
            Arguments.of("a timestamp 299 s ahead", headers(ID, ts + 299, sign(KEY, ID, ts + 299, BODY)), BODY, null),
            Arguments.of("a timestamp 301 s old", headers(ID, ts - 301, sign(KEY, ID, ts - 301, BODY)), BODY, "stale_timestamp"),
            Arguments.of("a timestamp 301 s ahead", headers(ID, ts + 301, sign(KEY, ID, ts + 301, BODY)), BODY, "stale_timestamp"),
            Arguments.of("a signature made with another key", headers(ID, ts, sign(otherKey, ID, ts, BODY)), BODY, "bad_signature"),
            Arguments.of("a body changed by one byte", headers(ID, ts, good), Arrays.copyOf(BODY, BODY.length - 1), "bad_signature"),
            Arguments.of("another delivery id", headers("msg_other", ts, good), BODY, "bad_signature"),
            Arguments.of("another timestamp within tolerance", headers(ID, ts - 1, good), BODY, "bad_signature"),
            Arguments.of("the secret token scheme instead", Map.of("X-Gitlab-Token", List.of(WHSEC)), BODY, "missing_signature"),
            Arguments.of("no signature header", Map.of("webhook-id", List.of(ID), "webhook-timestamp", List.of("" + ts)), BODY,
                "missing_signature"),
            Arguments.of("no webhook-id", Map.of("webhook-timestamp", List.of("" + ts), "webhook-signature", List.of(good)), BODY,
                "malformed_signature"),
            Arguments.of("no webhook-timestamp", Map.of("webhook-id", List.of(ID), "webhook-signature", List.of(good)), BODY,
                "malformed_signature"),
            Arguments.of("a non-numeric timestamp", headers(ID, ts, good).entrySet().stream().collect(
                LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getKey().equals("webhook-timestamp") ? List.of("soon")
                    : e.getValue()), Map::putAll), BODY, "malformed_signature"),
            Arguments.of("a delivery id containing a dot", headers("a.b", ts, sign(KEY, "a.b", ts, BODY)), BODY,
                "malformed_signature"),
            Arguments.of("only a v1a entry", headers(ID, ts, "v1a,AAAA"), BODY, "malformed_signature"),
            Arguments.of("a v1 entry that is not base64", headers(ID, ts, "v1,***"), BODY, "malformed_signature"),
            Arguments.of("two signature header lines", twoSignatureLines(good), BODY, "malformed_signature"));
    }

    private static Map<String, List<String>> twoSignatureLines(String good) {
        Map<String, List<String>> h = headers(ID, NOW.getEpochSecond(), good);
        h.put("webhook-signature", List.of(good, good));
        return h;
    }

    @ParameterizedTest(name = "{0} → {3}")
    @MethodSource("cases")
    void decidesEachSignedWebhookCase(String description, Map<String, List<String>> headers, byte[] body, String rejection) {
        WebhookVerdict verdict = verify(headers, body);
        if (rejection == null) {
            assertThat(verdict).isInstanceOf(WebhookVerdict.Accepted.class);
        } else {
            assertThat(verdict).isEqualTo(WebhookVerdict.rejected(rejection));
        }
    }

    @Test
    void acceptsAnEmptyBodyWithAValidSignature() {
        long ts = NOW.getEpochSecond();
        assertThat(verify(headers(ID, ts, sign(KEY, ID, ts, new byte[0])), new byte[0]))
            .isInstanceOf(WebhookVerdict.Accepted.class);
    }

    @Test
    void takesTheSignedWebhookIdAsDeliveryId() {
        long ts = NOW.getEpochSecond();
        Map<String, List<String>> h = headers(ID, ts, sign(KEY, ID, ts, BODY));
        h.put("Idempotency-Key", List.of("unsigned-key"));
        h.put("X-Gitlab-Event", List.of("Merge Request Hook"));
        assertThat(verify(h, BODY)).isEqualTo(WebhookVerdict.accepted(Optional.of(ID), Optional.of("Merge Request Hook")));
    }

    @Test
    void rejectsAReplayOnceTheToleranceHasPassed() {
        long ts = NOW.getEpochSecond();
        Map<String, List<String>> h = headers(ID, ts, sign(KEY, ID, ts, BODY));
        assertThat(verify(h, BODY)).isInstanceOf(WebhookVerdict.Accepted.class);
        clock.advance(Duration.ofMinutes(6));
        assertThat(verify(h, BODY)).isEqualTo(WebhookVerdict.rejected("stale_timestamp"));
    }
}
