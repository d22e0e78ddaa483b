package dev.atlas.vcs.gitea;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Gitea's and Forgejo's webhook signatures, with the forgeries an attacker would try. */
class GiteaWebhooksTest {
    private static final String SECRET = "gitea-hook-secret";
    private static final String DELIVERY = "f6266f16-1bf3-46a5-9ea4-602e06ead473";
    /** A push event as Gitea's webhook documentation shows it (abridged). */
    private static final byte[] PUSH = ("{\"ref\":\"refs/heads/develop\",\"before\":\"28e1879d029cb852e4844d9c718537df08844e03\","
        + "\"after\":\"bffeb74224043ba2feb48d137756c8a9331c449a\",\"compare_url\":\"http://localhost:3000/gitea/webhooks/compare/"
        + "28e1879d029cb852e4844d9c718537df08844e03...bffeb74224043ba2feb48d137756c8a9331c449a\",\"commits\":[{\"id\":"
        + "\"bffeb74224043ba2feb48d137756c8a9331c449a\",\"message\":\"Webhooks Yay!\",\"url\":\"http://localhost:3000/gitea/"
        + "webhooks/commit/bffeb74224043ba2feb48d137756c8a9331c449a\",\"author\":{\"name\":\"Gitea\",\"email\":\"someone@gitea.io\","
        + "\"username\":\"gitea\"},\"timestamp\":\"2017-03-13T13:52:11-04:00\"}],\"repository\":{\"id\":140,\"owner\":{\"id\":1,"
        + "\"login\":\"gitea\",\"full_name\":\"Gitea\"},\"name\":\"webhooks\",\"full_name\":\"gitea/webhooks\",\"private\":false},"
        + "\"pusher\":{\"id\":1,\"login\":\"gitea\"},\"sender\":{\"id\":1,\"login\":\"gitea\"}}").getBytes(StandardCharsets.UTF_8);

    private static WebhookVerdict verify(Map<String, List<String>> headers, byte[] body) {
        return GiteaWebhooks.verify(new WebhookRequest(HttpHeaders.of(headers, (a, b) -> true), body), Secret.of(SECRET));
    }

    /** The headers Gitea 1.20+ sends with a signed JSON hook (services/webhook/deliver.go). */
    private static Map<String, List<String>> gitea(String signature) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("X-Gitea-Delivery", List.of(DELIVERY));
        h.put("X-Gitea-Event", List.of("push"));
        h.put("X-Gitea-Event-Type", List.of("push"));
        h.put("X-Gitea-Signature", List.of(signature));
        h.put("X-Gogs-Delivery", List.of(DELIVERY));
        h.put("X-Gogs-Signature", List.of(signature));
        h.put("X-Hub-Signature-256", List.of("sha256=" + signature));
        h.put("X-GitHub-Delivery", List.of(DELIVERY));
        h.put("X-GitHub-Event", List.of("push"));
        return h;
    }

    /** Forgejo sends its own headers beside the Gitea-compatible ones. */
    private static Map<String, List<String>> forgejo(String forgejoSignature, String giteaSignature) {
        Map<String, List<String>> h = gitea(giteaSignature);
        h.put("X-Forgejo-Delivery", List.of(DELIVERY));
        h.put("X-Forgejo-Event", List.of("push"));
        h.put("X-Forgejo-Signature", List.of(forgejoSignature));
        return h;
    }

    private static Map<String, List<String>> only(String header, String value) {
        return Map.of(header, List.of(value), "X-Gitea-Event", List.of("push"));
    }

    static Stream<Arguments> cases() {
        String good = GiteaSignatures.sign(SECRET, PUSH);
        String other = GiteaSignatures.sign("another-secret", PUSH);
        return Stream.of(
            Arguments.of("Gitea's own headers", gitea(good), null),
            Arguments.of("Forgejo's headers with the Gitea-compatible copy", forgejo(good, good), null),
            Arguments.of("only X-Forgejo-Signature", only("X-Forgejo-Signature", good), null),
            Arguments.of("uppercase hex (same MAC)", only("X-Gitea-Signature", good.toUpperCase(Locale.ROOT)), null),
            Arguments.of("surrounding blanks", only("X-Gitea-Signature", " " + good + "\t"), null),
            Arguments.of("no signature header", Map.of("X-Gitea-Event", List.of("push")), "missing_signature"),
            Arguments.of("an empty signature (a hook without secret)", gitea(""), "missing_signature"),
            Arguments.of("only the GitHub-style header", only("X-Hub-Signature-256", "sha256=" + good), "missing_signature"),
            Arguments.of("only the Gogs header", only("X-Gogs-Signature", good), "missing_signature"),
            Arguments.of("signed with another secret", gitea(other), "bad_signature"),
            Arguments.of("a good Gitea copy beside a forged Forgejo one", forgejo(other, good), "bad_signature"),
            Arguments.of("a good Forgejo one beside a forged Gitea copy", forgejo(good, other), "bad_signature"),
            Arguments.of("the GitHub prefix in the native header", only("X-Gitea-Signature", "sha256=" + good),
                "malformed_signature"),
            Arguments.of("one digit short", only("X-Gitea-Signature", good.substring(1)), "malformed_signature"),
            Arguments.of("one digit too many", only("X-Gitea-Signature", good + "0"), "malformed_signature"),
            Arguments.of("a non-hex digit", only("X-Gitea-Signature", "g" + good.substring(1)), "malformed_signature"),
            Arguments.of("an Arabic-Indic digit", only("X-Gitea-Signature", "\u0663" + good.substring(1)),
                "malformed_signature"),
            Arguments.of("base64 of the MAC", only("X-Gitea-Signature",
                Base64.getEncoder().encodeToString(HexFormat.of().parseHex(good))),
                "malformed_signature"),
            Arguments.of("two signature lines", Map.of("X-Gitea-Signature", List.of(other, good)), "malformed_signature"));
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource("cases")
    void decidesEachWebhookCase(String description, Map<String, List<String>> headers, String rejection) {
        WebhookVerdict verdict = verify(headers, PUSH);
        if (rejection == null) {
            assertThat(verdict).isInstanceOf(WebhookVerdict.Accepted.class);
        } else {
            assertThat(verdict).isEqualTo(WebhookVerdict.rejected(rejection));
        }
    }

    @Test
    void rejectsABodyChangedByOneByte() {
        byte[] changed = PUSH.clone();
        changed[changed.length - 2] = '0';
        assertThat(verify(gitea(GiteaSignatures.sign(SECRET, PUSH)), changed)).isEqualTo(WebhookVerdict.rejected("bad_signature"));
    }

    @Test
    void takesTheDeliveryAndEventFromGiteasHeaders() {
        assertThat(verify(gitea(GiteaSignatures.sign(SECRET, PUSH)), PUSH))
            .isEqualTo(WebhookVerdict.accepted(Optional.of(DELIVERY), Optional.of("push")));
    }

    @Test
    void takesTheDeliveryAndEventFromForgejosHeadersWhenGiteasAreAbsent() {
        String good = GiteaSignatures.sign(SECRET, PUSH);
        Map<String, List<String>> h = Map.of("X-Forgejo-Signature", List.of(good), "X-Forgejo-Delivery", List.of("d-1"),
            "X-Forgejo-Event", List.of("pull_request"));
        assertThat(verify(h, PUSH)).isEqualTo(WebhookVerdict.accepted(Optional.of("d-1"), Optional.of("pull_request")));
    }

    @Test
    void acceptsAWebhookWithoutDeliveryIdAndLeavesItToTheHost() {
        String good = GiteaSignatures.sign(SECRET, PUSH);
        assertThat(verify(Map.of("X-Gitea-Signature", List.of(good)), PUSH))
            .isEqualTo(WebhookVerdict.accepted(Optional.empty(), Optional.empty()));
    }

    /**
     * With content type "form", Gitea signs the JSON payload but sends {@code payload=<url-encoded JSON>}: the raw body
     * is not what was signed, so such hooks are refused (the set-up guide says to choose application/json).
     */
    @Test
    void refusesAFormEncodedHookBecauseItsSignatureIsNotOverTheRawBody() {
        byte[] form = ("payload=" + URLEncoder.encode(new String(PUSH, StandardCharsets.UTF_8), StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
        assertThat(verify(gitea(GiteaSignatures.sign(SECRET, PUSH)), form)).isEqualTo(WebhookVerdict.rejected("bad_signature"));
    }

    @Test
    void rejectsEverySignatureWhenTheSecretIsEmpty() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        WebhookVerdict verdict = GiteaWebhooks.verify(new WebhookRequest(HttpHeaders.of(
            Map.of("X-Gitea-Signature", List.of(GiteaSignatures.sign("x", body))), (a, b) -> true), body), Secret.of(""));
        assertThat(verdict).isEqualTo(WebhookVerdict.rejected("bad_signature"));
    }

    @Test
    void relaysEventAndDeliveryHeadersButNoSignature() {
        assertThat(GiteaWebhooks.RELAYED).contains("x-gitea-event", "x-gitea-delivery", "x-forgejo-event", "x-forgejo-delivery")
            .noneMatch(h -> h.contains("signature")).doesNotContain("authorization");
    }

    @Test
    void readsTheEventOfASpooledWebhookFromGiteasForgejosOrGogsRelayedHeader() {
        assertThat(GiteaWebhooks.event(Map.of("x-gitea-event", "push", "x-gitea-delivery", "d1"))).contains("push");
        assertThat(GiteaWebhooks.event(Map.of("x-forgejo-event", "pull_request"))).contains("pull_request");
        assertThat(GiteaWebhooks.event(Map.of("x-gogs-event", "create"))).contains("create");
        assertThat(GiteaWebhooks.event(Map.of("x-github-event", "push", "user-agent", "x"))).isEmpty();
    }
}
