package dev.atlas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every VCS provider must do. A plugin's test extends this class and supplies the factory, a valid provider
 * section, and how its VCS signs a webhook.
 */
public abstract class VcsProviderContract {

    /** The factory under test, made directly (not through PF4J). */
    protected abstract VcsProviderFactory factory();

    /** The VCS id the factory must report. */
    protected abstract String expectedId();

    /** A valid provider section ({@code apps[j].<configSection>}); may be empty. */
    protected abstract Map<String, Object> validSection();

    /** App settings the provider is configured with. */
    protected AppSettings app() {
        return ConfigTrees.app(expectedId(), "app-1", "https://vcs.example", "https://vcs.example/api", "s3cr3t-hook");
    }

    /** The headers the VCS sends with {@code body} when its webhook secret is {@code secret}. */
    protected abstract Map<String, List<String>> signedHeaders(byte[] body, Secret secret);

    protected VcsProvider configured() {
        ProblemList problems = new ProblemList();
        VcsProvider provider = factory().configure(app(),
            ConfigTrees.section("installations[0].apps[0]." + factory().configSection(), validSection(), problems),
            problems);
        assertThat(problems.lines()).as("problems of a valid section").isEmpty();
        return provider;
    }

    /**
     * API paths of this VCS (below {@code /vcs/rest}) and the target {@link ApiCredentials#target} must read from each
     * with no caller headers; empty (the default) skips the check.
     */
    protected Map<String, ApiTarget> apiTargets() {
        return Map.of();
    }

    /**
     * Paths a caller could use to make a plugin name another repository than the VCS will act on, in every shipped
     * VCS's shape: encoded slashes and dots, dot segments, empty segments, backslashes, absolute URLs, control
     * characters and an overlong path.
     */
    static Stream<String> hostileApiPaths() {
        return Stream.of("/repos/acme%2Fother/api/pulls", "/repos/acme/api%2F..%2F..%2Fvictim%2Fx", "/repos/acme/%2e%2e/x",
            "/repos/acme/api/../../victim/x/pulls", "/repos/../victim/x", "/repos/./acme/api", "/repos//acme/api",
            "//repos/acme/api", "repos/acme/api", "https://evil.example/repos/acme/api", "/repos/acme\\other/api",
            "/repos/acme/api\u0000/pulls", "/repos/acme/api /pulls", "/repos/acme/api/" + "a".repeat(5000),
            "/projects/acme%2Fapi", "/projects/7/../8/merge_requests", "/projects//7", "/projects/7%2F..%2F8",
            "/repositories/ws/../other/slug", "/repositories/ws%2Fx/slug", "/repositories//ws/slug",
            "/rest/api/1.0/projects/KEY/repos/../../OTHER/repos/x", "/rest/api/1.0/projects/KEY/repos/sl%2Fug",
            "/rest/api/1.0/projects//KEY/repos/slug");
    }

    @Test
    void readsTheRepositoryOfItsOwnApiPaths() {
        VcsProvider provider = configured();
        apiTargets().forEach((path, expected) -> assertThat(((ApiCredentials) provider).target(path, h -> Optional.empty()))
            .as(path).isEqualTo(expected));
    }

    @ParameterizedTest(name = "hostile path [{0}]")
    @MethodSource("hostileApiPaths")
    void aHostileApiPathNamesNoRepository(String path) {
        if (configured() instanceof ApiCredentials credentials) {
            ApiTarget target = credentials.target(path, h -> Optional.empty());
            assertThat(target.owner()).as(path).isEmpty();
            assertThat(target.repository()).as(path).isEmpty();
        }
    }

    protected static WebhookRequest request(Map<String, List<String>> headers, byte[] body) {
        return new WebhookRequest(HttpHeaders.of(headers, (k, v) -> true), body);
    }

    @Test
    void reportsAStableLowercaseId() {
        assertThat(factory().id()).isEqualTo(expectedId()).isEqualTo(expectedId().toLowerCase(Locale.ROOT));
    }

    @Test
    void acceptsAValidSectionWithoutProblems() {
        assertThat(configured().app().appId()).isEqualTo("app-1");
    }

    @Test
    void reportsAnUnknownKeyWithItsFullPath() {
        Map<String, Object> section = new HashMap<>(validSection());
        section.put("noSuchKey", "x");
        ProblemList problems = new ProblemList();
        factory().configure(app(),
            ConfigTrees.section("installations[0].apps[0]." + factory().configSection(), section, problems), problems);
        assertThat(problems.lines()).anySatisfy(line -> assertThat(line)
            .startsWith("installations[0].apps[0]." + factory().configSection() + ".noSuchKey:"));
    }

    @Test
    void acceptsAWebhookSignedWithTheAppSecret() {
        VcsProvider provider = configured();
        assertThat(provider).isInstanceOf(WebhookVerifier.class);
        byte[] body = "{\"zen\":\"Keep it logically awesome.\"}".getBytes(StandardCharsets.UTF_8);
        WebhookVerdict verdict = ((WebhookVerifier) provider).verify(
            request(signedHeaders(body, app().webhookSecret()), body));
        assertThat(verdict).isInstanceOf(WebhookVerdict.Accepted.class);
    }

    @Test
    void rejectsAWebhookSignedWithAnotherSecret() {
        WebhookVerifier verifier = (WebhookVerifier) configured();
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        WebhookVerdict verdict = verifier.verify(request(signedHeaders(body, Secret.of("not-the-secret")), body));
        assertThat(verdict).isInstanceOf(WebhookVerdict.Rejected.class);
    }

    @Test
    void rejectsAWebhookWhoseBodyChangedAfterSigning() {
        WebhookVerifier verifier = (WebhookVerifier) configured();
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> headers = signedHeaders(body, app().webhookSecret());
        byte[] changed = "{\"a\":2}".getBytes(StandardCharsets.UTF_8);
        assertThat(verifier.verify(request(headers, changed))).isInstanceOf(WebhookVerdict.Rejected.class);
    }

    @Test
    void rejectsAWebhookWithoutSignature() {
        WebhookVerifier verifier = (WebhookVerifier) configured();
        assertThat(verifier.verify(request(Map.of(), new byte[0]))).isInstanceOf(WebhookVerdict.Rejected.class);
    }

    @Test
    void neverRelaysSignatureOrTokenHeaders() {
        WebhookVerifier verifier = (WebhookVerifier) configured();
        assertThat(verifier.relayedHeaders())
            .allSatisfy(h -> assertThat(h).isEqualTo(h.toLowerCase(Locale.ROOT)))
            .doesNotContain("x-hub-signature", "x-hub-signature-256", "x-gitlab-token", "authorization",
                "webhook-signature");
    }

    @Test
    void closesSafelyWithoutHavingBeenOpened() {
        configured().close();
    }
}
