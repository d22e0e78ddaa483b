package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clone token, result token and proxy token never reach the repository's files, stdout, stderr, the logs or
 * the reported result, whether the run succeeds or the VCS refuses the credential.
 */
class CredentialHygieneIT {
    @RegisterExtension
    static final WireMockExtension CLOUD = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final List<String> SECRETS = List.of(PatchHarness.CLONE_TOKEN, PatchHarness.RESULT_TOKEN, PatchHarness.PROXY_TOKEN,
        Base64.getEncoder().encodeToString(("x-access-token:" + PatchHarness.CLONE_TOKEN).getBytes(StandardCharsets.UTF_8)));

    @TempDir
    Path tmp;

    PatchHarness run;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private PrintStream systemErr;

    @BeforeEach
    void captureLogs() throws IOException {
        // slf4j-simple writes to whatever System.err is at the time of the call: capture JGit's and ours.
        systemErr = System.err;
        System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
        run = new PatchHarness(tmp, CLOUD);
    }

    @AfterEach
    void restoreLogs() {
        System.setErr(systemErr);
    }

    @Test
    void keepsEveryTokenOutOfTheWorkspaceOutputLogsAndResultOfASuccessfulRun() throws IOException {
        List<Path> leaks = new ArrayList<>();
        run.withPullRequest();
        CLOUD.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(201)
            .withBody("{\"number\":1,\"html_url\":\"https://github.example/pr/1\"}")));
        run.beforePush = workspace -> {
            for (String secret : SECRETS) {
                leaks.addAll(PatchHarness.filesContaining(workspace, secret));
            }
            assertThat(workspace.resolve("repo.git/config")).exists();
        };

        assertThat(run.run()).isZero();

        assertThat(leaks).isEmpty();
        assertNoSecretIn(run.out, run.err, logs.toString(StandardCharsets.UTF_8), run.reported().toString());
        for (String secret : SECRETS) {
            assertThat(PatchHarness.filesContaining(run.remote.dir(), secret)).isEmpty();
            assertThat(PatchHarness.filesContaining(tmp.resolve("task"), secret)).isEmpty();
        }
    }

    @Test
    void sendsTheCloneTokenOnlyAsHttpBasicAuthAndNeverEchoesItWhenTheVcsRefusesIt() throws IOException {
        CLOUD.stubFor(get(urlPathEqualTo("/acme/widgets.git/info/refs")).willReturn(aResponse().withStatus(401)
            .withHeader("WWW-Authenticate", "Basic realm=\"git\"")));
        run.task.with("repository").put("cloneUrl", CLOUD.baseUrl() + "/acme/widgets.git");

        assertThat(run.run()).isEqualTo(1);

        List<LoggedRequest> gitRequests = CLOUD.findAll(getRequestedFor(urlPathEqualTo("/acme/widgets.git/info/refs")));
        assertThat(gitRequests).isNotEmpty();
        assertThat(gitRequests).allSatisfy(request -> assertThat(request.getUrl()).doesNotContain(PatchHarness.CLONE_TOKEN));
        CLOUD.verify(getRequestedFor(urlPathEqualTo("/acme/widgets.git/info/refs"))
            .withHeader("Authorization", equalTo("Basic " + SECRETS.get(3))));
        assertThat(run.status()).isEqualTo("error");
        assertNoSecretIn(run.out, run.err, logs.toString(StandardCharsets.UTF_8), run.reported().toString());
    }

    @Test
    void usesTheCloneUsernameFromTheSecretsDirWhenPresent() throws IOException {
        CLOUD.stubFor(get(urlPathEqualTo("/acme/widgets.git/info/refs")).willReturn(aResponse().withStatus(401)
            .withHeader("WWW-Authenticate", "Basic realm=\"git\"")));
        run.task.with("repository").put("cloneUrl", CLOUD.baseUrl() + "/acme/widgets.git");
        Files.createDirectories(tmp.resolve("secrets"));
        Files.writeString(tmp.resolve("secrets").resolve(Secrets.CLONE_USERNAME), "deploy-bot\n");

        run.run();

        String basic = Base64.getEncoder().encodeToString(("deploy-bot:" + PatchHarness.CLONE_TOKEN).getBytes(StandardCharsets.UTF_8));
        CLOUD.verify(getRequestedFor(urlPathEqualTo("/acme/widgets.git/info/refs")).withHeader("Authorization", equalTo("Basic " + basic)));
    }

    @Test
    void refusesACloneUrlThatCarriesCredentials() throws IOException {
        run.task.with("repository").put("cloneUrl", "https://x-access-token:" + PatchHarness.CLONE_TOKEN + "@github.example/a/b.git");

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.reported().path("detail").asText()).isEqualTo("repository.cloneUrl: must not contain credentials");
        assertNoSecretIn(run.out, run.err, logs.toString(StandardCharsets.UTF_8), run.reported().toString());
    }

    private static void assertNoSecretIn(String... texts) {
        for (String text : texts) {
            for (String secret : SECRETS) {
                assertThat(text).doesNotContain(secret);
            }
        }
    }
}
