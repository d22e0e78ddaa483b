package dev.atlas.vcs.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.plugin.support.HubSignature;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.VcsProviderContract;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GithubProviderTest extends VcsProviderContract {
    private static final String SECRET = "s3cr3t-hook";
    private static final byte[] BODY = "{\"action\":\"opened\",\"number\":1}".getBytes(StandardCharsets.UTF_8);

    @Override
    protected VcsProviderFactory factory() {
        return new GithubVcsProviderFactory();
    }

    @Override
    protected String expectedId() {
        return "github";
    }

    @Override
    protected Map<String, Object> validSection() {
        return Map.of("appId", "12345", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048));
    }

    @Override
    protected Map<String, ApiTarget> apiTargets() {
        return Map.of(
            "/repos/octo-org/hello/pulls/7", new ApiTarget(Optional.empty(), Optional.of("octo-org"), Optional.of("hello")),
            "/repos/octo-org/hello", new ApiTarget(Optional.empty(), Optional.of("octo-org"), Optional.of("hello")),
            "/installation/repositories", ApiTarget.none(), "/orgs/octo-org/repos", ApiTarget.none(),
            "", ApiTarget.none());
    }

    @Override
    protected Map<String, List<String>> signedHeaders(byte[] body, Secret secret) {
        return Map.of("X-Hub-Signature-256", List.of(sign(secret.bytes(), body)),
            "X-GitHub-Delivery", List.of("72d3162e-cc78-11e3-81ab-4c9367dc0958"),
            "X-GitHub-Event", List.of("pull_request"));
    }

    static String sign(byte[] key, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(HubSignature.hmacSha256(key, body));
    }

    static Stream<Arguments> signatureCases() {
        byte[] key = SECRET.getBytes(StandardCharsets.UTF_8);
        String good = sign(key, BODY);
        String hex = good.substring("sha256=".length());
        byte[] changed = BODY.clone();
        changed[5] ^= 1;
        byte[] appended = Arrays.copyOf(BODY, BODY.length + 1);
        appended[BODY.length] = ' ';
        return Stream.of(
            Arguments.of("the right signature", List.of(good), BODY, null),
            Arguments.of("uppercase hex digits of the right MAC", List.of("sha256=" + hex.toUpperCase(Locale.ROOT)), BODY, null),
            Arguments.of("spaces and tabs around the value", List.of(" \t" + good + " "), BODY, null),
            Arguments.of("a signature made with another secret", List.of(sign("other".getBytes(), BODY)), BODY, "bad_signature"),
            Arguments.of("a body changed by one bit", List.of(good), changed, "bad_signature"),
            Arguments.of("a body with one byte appended", List.of(good), appended, "bad_signature"),
            Arguments.of("no signature header", List.of(), BODY, "missing_signature"),
            Arguments.of("an empty header", List.of(""), BODY, "missing_signature"),
            Arguments.of("only the prefix", List.of("sha256="), BODY, "malformed_signature"),
            Arguments.of("one hex digit short", List.of(good.substring(0, good.length() - 1)), BODY, "malformed_signature"),
            Arguments.of("one hex digit too many", List.of(good + "0"), BODY, "malformed_signature"),
            Arguments.of("a non-hex digit", List.of(good.substring(0, good.length() - 1) + "g"), BODY, "malformed_signature"),
            Arguments.of("a non-ASCII digit", List.of(good.substring(0, good.length() - 1) + "\u0663"), BODY,
                "malformed_signature"),
            Arguments.of("the legacy sha1 prefix", List.of("sha1=" + hex.substring(0, 40)), BODY, "malformed_signature"),
            Arguments.of("sha1 prefix with a SHA-256 MAC", List.of("sha1=" + hex), BODY, "malformed_signature"),
            Arguments.of("an uppercase algorithm", List.of("SHA256=" + hex), BODY, "malformed_signature"),
            Arguments.of("the bare hex without prefix", List.of(hex), BODY, "malformed_signature"),
            Arguments.of("a space inside the value", List.of("sha256= " + hex), BODY, "malformed_signature"),
            Arguments.of("two header values, the first right", List.of(good, sign("x".getBytes(), BODY)), BODY,
                "malformed_signature"),
            Arguments.of("two equal header values", List.of(good, good), BODY, "malformed_signature"),
            Arguments.of("two values joined by a comma", List.of(good + ", " + good), BODY, "malformed_signature"));
    }

    @ParameterizedTest(name = "{0} → {3}")
    @MethodSource("signatureCases")
    void decidesEachSignatureCase(String description, List<String> values, byte[] body, String rejection) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (!values.isEmpty()) {
            headers.put("X-Hub-Signature-256", values);
        }
        WebhookVerdict verdict = verifier().verify(request(headers, body));
        if (rejection == null) {
            assertThat(verdict).isInstanceOf(WebhookVerdict.Accepted.class);
        } else {
            assertThat(verdict).isEqualTo(WebhookVerdict.rejected(rejection));
        }
    }

    @Test
    void acceptsAnEmptyBodyWithAValidSignature() {
        byte[] empty = new byte[0];
        assertThat(verifier().verify(request(Map.of("X-Hub-Signature-256", List.of(sign(SECRET.getBytes(), empty))), empty)))
            .isInstanceOf(WebhookVerdict.Accepted.class);
    }

    @Test
    void ignoresTheLegacySha1HeaderEvenWhenItIsRight() {
        Map<String, List<String>> headers = Map.of("X-Hub-Signature", List.of(sign(SECRET.getBytes(), BODY)));
        assertThat(verifier().verify(request(headers, BODY))).isEqualTo(WebhookVerdict.rejected("missing_signature"));
    }

    @Test
    void readsTheSignatureHeaderWhateverItsCase() {
        Map<String, List<String>> headers = Map.of("x-hub-signature-256", List.of(sign(SECRET.getBytes(), BODY)));
        assertThat(verifier().verify(request(headers, BODY))).isInstanceOf(WebhookVerdict.Accepted.class);
    }

    @Test
    void reportsTheDeliveryIdAndEventOfAnAcceptedWebhook() {
        WebhookVerdict verdict = verifier().verify(request(signedHeaders(BODY, Secret.of(SECRET)), BODY));
        assertThat(verdict).isEqualTo(WebhookVerdict.accepted(Optional.of("72d3162e-cc78-11e3-81ab-4c9367dc0958"),
            Optional.of("pull_request")));
    }

    @Test
    void relaysGithubEventAndDeliveryHeadersOnly() {
        assertThat(verifier().relayedHeaders()).containsExactlyInAnyOrder("x-github-event", "x-github-delivery",
            "x-github-hook-id", "x-github-hook-installation-target-id", "x-github-hook-installation-target-type",
            "x-github-enterprise-version", "x-github-enterprise-host", "user-agent");
    }

    @Test
    void offersOAuthLoginOnlyWhenTheAppHasAnOAuthClient() {
        assertThat(configured()).isInstanceOf(OAuthLogin.class);
        AppSettings withoutOauth = new AppSettings("acme", "app-1", "github", URI.create("https://github.com"),
            URI.create("https://api.github.com"), Secret.of(SECRET), Optional.empty(), "installations[0].apps[0]");
        ProblemList problems = new ProblemList();
        VcsProvider provider = factory().configure(withoutOauth,
            ConfigTrees.section("installations[0].apps[0].github", validSection(), problems), problems);
        assertThat(problems.lines()).isEmpty();
        assertThat(provider).isNotInstanceOf(OAuthLogin.class).isInstanceOf(WebhookVerifier.class);
    }

    @Test
    void usesTheAppsOwnWebhookSecretNotOneOfAnotherApp() {
        BiFunction<String, String, VcsProvider> providerWithSecret = (appId, secret) -> factory().configure(
            new AppSettings("acme", appId, "github", URI.create("https://github.com"), URI.create("https://api.github.com"),
                Secret.of(secret), Optional.empty(), "installations[0].apps[0]"),
            ConfigTrees.section("installations[0].apps[0].github", validSection(), new ProblemList()), new ProblemList());
        WebhookVerifier a = (WebhookVerifier) providerWithSecret.apply("a", "secret-a");
        WebhookVerifier b = (WebhookVerifier) providerWithSecret.apply("b", "secret-b");
        Map<String, List<String>> signedForA = Map.of("X-Hub-Signature-256", List.of(sign("secret-a".getBytes(), BODY)));
        assertThat(a.verify(request(signedForA, BODY))).isInstanceOf(WebhookVerdict.Accepted.class);
        assertThat(b.verify(request(signedForA, BODY))).isEqualTo(WebhookVerdict.rejected("bad_signature"));
    }

    private WebhookVerifier verifier() {
        return (WebhookVerifier) configured();
    }

    @Test
    void readsTheInstallationTheCallerNamedWithTheRepositoryOfThePath() {
        ApiCredentials credentials = (ApiCredentials) configured();
        assertThat(credentials.target("/repos/octo-org/hello/pulls", h -> h.equals("X-Installation-ID")
            ? Optional.of(" 77 ") : Optional.empty()))
            .isEqualTo(new ApiTarget(Optional.of("77"), Optional.of("octo-org"), Optional.of("hello")));
        assertThat(credentials.target("", h -> Optional.of("77")))
            .isEqualTo(new ApiTarget(Optional.of("77"), Optional.empty(), Optional.empty()));
        assertThat(credentials.target("/repos/a/../b/c", h -> Optional.of(" ")))
            .isEqualTo(ApiTarget.none());
    }
}
