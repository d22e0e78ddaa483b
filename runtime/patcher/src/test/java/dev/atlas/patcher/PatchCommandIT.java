package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** End-to-end runs of {@code atlas patch}: real repositories on disk, WireMock as the cloud and the VCS proxy. */
class PatchCommandIT {
    @RegisterExtension
    static final WireMockExtension CLOUD = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @TempDir
    Path tmp;

    PatchHarness run;

    @BeforeEach
    void setUp() throws IOException {
        run = new PatchHarness(tmp, CLOUD);
    }

    @Test
    void commitsACleanPatchWithTheAuthorAsCommitterAndReportsWithTheResultToken() throws IOException {
        assertThat(run.run()).isZero();

        RevCommit commit = run.remote.commitAt(PatchHarness.BRANCH);
        assertThat(commit.getAuthorIdent().getName()).isEqualTo("Atlas Bot");
        assertThat(commit.getAuthorIdent().getEmailAddress()).isEqualTo("bot@atlas.example");
        assertThat(commit.getCommitterIdent().getName()).isEqualTo("Atlas Bot");
        assertThat(commit.getCommitterIdent().getEmailAddress()).isEqualTo("bot@atlas.example");
        assertThat(commit.getFullMessage()).isEqualTo("Fix the greeting\n\nAtlas-Task-Id: task-1\n");
        assertThat(commit.getParent(0).getId()).isEqualTo(run.base);
        assertThat(run.remote.files(PatchHarness.BRANCH)).isEqualTo(Map.of("greeting.txt", "hello\natlas\nbye\n", "src/app.txt", "app\n"));
        assertThat(run.remote.head("main")).isEqualTo(run.base);

        JsonNode result = run.reported();
        assertThat(result.path("taskId").asText()).isEqualTo("task-1");
        assertThat(result.path("type").asText()).isEqualTo("patch");
        assertThat(result.path("status").asText()).isEqualTo("committed");
        assertThat(result.path("commitSha").asText()).isEqualTo(commit.name());
        assertThat(result.path("branch").asText()).isEqualTo(PatchHarness.BRANCH);
        assertThat(result.path("headMoved").asBoolean(true)).isFalse();
        assertThat(run.printed()).isEqualTo(result);
        CLOUD.verify(1, postRequestedFor(urlEqualTo("/jobs/task-1/results"))
            .withHeader("Authorization", equalTo("Bearer " + PatchHarness.RESULT_TOKEN))
            .withHeader("X-Atlas-Result-Name", equalTo("atlas-patch.json"))
            .withHeader("Content-Type", equalTo("application/json")));
    }

    @Test
    void opensThePullRequestThroughTheProxyWithTheProxyTokenAndAppId() throws IOException {
        run.withPullRequest();
        CLOUD.stubFor(post(urlPathMatching("/vcs/rest/repos/.*/pulls")).willReturn(aResponse().withStatus(201)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"number\": 42, \"html_url\": \"https://github.example/acme/remote/pull/42\"}")));

        assertThat(run.run()).isZero();

        String owner = run.remote.dir().getParent().getFileName().toString();
        CLOUD.verify(1, postRequestedFor(urlEqualTo("/vcs/rest/repos/" + owner + "/remote/pulls"))
            .withHeader("Authorization", equalTo("Bearer " + PatchHarness.PROXY_TOKEN))
            .withHeader("X-App-ID", equalTo("gh-main"))
            .withRequestBody(equalToJson("{\"title\":\"Fix greeting\",\"body\":\"Autofix\",\"head\":\"" + PatchHarness.BRANCH
                + "\",\"base\":\"main\"}")));
        JsonNode result = run.reported();
        assertThat(result.path("status").asText()).isEqualTo("pr_opened");
        assertThat(result.path("pullRequestUrl").asText()).isEqualTo("https://github.example/acme/remote/pull/42");
        assertThat(result.path("pullRequestNumber").asLong()).isEqualTo(42);
        assertThat(result.path("commitSha").asText()).isEqualTo(run.remote.head(PatchHarness.BRANCH).name());
    }

    @Test
    void reportsCommittedWithThePullRequestErrorWhenThePullRequestAlreadyExists() throws IOException {
        run.withPullRequest();
        CLOUD.stubFor(post(urlPathMatching("/vcs/rest/repos/.*/pulls")).willReturn(aResponse().withStatus(422)
            .withBody("{\"message\":\"Validation Failed\",\"errors\":[{\"message\":\"A pull request already exists for acme:x.\"}]}")));

        assertThat(run.run()).isZero();

        JsonNode result = run.reported();
        assertThat(result.path("status").asText()).isEqualTo("committed");
        assertThat(result.path("pullRequestError").asText()).contains("already exists");
        assertThat(run.remote.head(PatchHarness.BRANCH)).isNotNull();
    }

    @Test
    void reportsCommittedWithThePullRequestErrorWhenTheProxyKeepsFailing() throws IOException {
        run.withPullRequest();
        CLOUD.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(502)
            .withBody("{\"error\":\"upstream_unavailable\"}")));

        assertThat(run.run()).isZero();

        assertThat(run.reported().path("status").asText()).isEqualTo("committed");
        assertThat(run.reported().path("pullRequestError").asText()).isEqualTo("VCS proxy answered HTTP 502: upstream_unavailable");
        CLOUD.verify(3, postRequestedFor(urlPathMatching("/vcs/rest/.*")));
    }

    @Test
    void appliesOnTheNewHeadAndSaysSoWhenTheHeadMovedButThePatchStillApplies() throws IOException {
        ObjectId moved = run.remote.commit("main", run.base,
            Map.of("greeting.txt", PatchHarness.GREETING, "src/app.txt", "app v2\n"), "unrelated change");

        assertThat(run.run()).isZero();

        JsonNode result = run.reported();
        assertThat(result.path("status").asText()).isEqualTo("committed");
        assertThat(result.path("headMoved").asBoolean()).isTrue();
        assertThat(result.path("expectedSha").asText()).isEqualTo(run.base.name());
        assertThat(result.path("actualSha").asText()).isEqualTo(moved.name());
        assertThat(run.remote.commitAt(PatchHarness.BRANCH).getParent(0).getId()).isEqualTo(moved);
        assertThat(run.remote.files(PatchHarness.BRANCH)).containsEntry("greeting.txt", "hello\natlas\nbye\n")
            .containsEntry("src/app.txt", "app v2\n");
    }

    @Test
    void reportsAStaleChangesetWithBothShasAndPushesNothingWhenTheMovedHeadConflicts() throws IOException {
        ObjectId moved = run.remote.commit("main", run.base, Map.of("greeting.txt", "hello\nplanet\nbye\n", "src/app.txt", "app\n"),
            "conflicting change");

        assertThat(run.run()).isEqualTo(1);

        JsonNode result = run.reported();
        assertThat(result.path("status").asText()).isEqualTo("stale_changeset");
        assertThat(result.path("expectedSha").asText()).isEqualTo(run.base.name());
        assertThat(result.path("actualSha").asText()).isEqualTo(moved.name());
        assertThat(result.path("headMoved").asBoolean()).isTrue();
        assertThat(result.has("commitSha")).isFalse();
        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
    }

    @Test
    void reportsPatchFailedWhenThePatchDoesNotApplyAtTheExpectedHead() throws IOException {
        run.patch = PatchHarness.GREETING_PATCH.replace("-world", "-planet");

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("patch_failed");
        assertThat(run.reported().path("detail").asText()).contains("greeting.txt");
        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
    }

    @Test
    void rejectsThePushWhenTheBranchMovedDuringTheRun() throws IOException {
        run.beforePush = dir -> run.remote.commit(PatchHarness.BRANCH, run.base, Map.of("other.txt", "x\n"), "competing commit");

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("push_rejected");
        assertThat(run.remote.commitAt(PatchHarness.BRANCH).getShortMessage()).isEqualTo("competing commit");
    }

    @Test
    void rejectsThePushWhenTheBranchAlreadyHoldsOtherCommits() throws IOException {
        run.remote.commit(PatchHarness.BRANCH, run.base, Map.of("other.txt", "x\n"), "someone else's work");

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("push_rejected");
        assertThat(run.reported().path("detail").asText()).contains("not a fast-forward");
        assertThat(run.remote.commitAt(PatchHarness.BRANCH).getShortMessage()).isEqualTo("someone else's work");
    }

    @Test
    void runningTheSameTaskTwiceAddsOnlyOneCommit() throws IOException {
        assertThat(run.run()).isZero();
        ObjectId first = run.remote.head(PatchHarness.BRANCH);
        // Even after the base moved on, the second run recognises its own commit by the trailer.
        run.remote.commit("main", run.base, Map.of("greeting.txt", "hello\nplanet\nbye\n", "src/app.txt", "app\n"), "later change");

        assertThat(run.run()).isZero();

        assertThat(run.remote.head(PatchHarness.BRANCH)).isEqualTo(first);
        assertThat(run.remote.log(PatchHarness.BRANCH)).hasSize(2);
        JsonNode second = run.reported();
        assertThat(second.path("status").asText()).isEqualTo("committed");
        assertThat(second.path("commitSha").asText()).isEqualTo(first.name());
        assertThat(second.path("alreadyCommitted").asBoolean()).isTrue();
    }

    @Test
    void reportsTheExistingCommitWhenTheBranchAlreadyHoldsTheSameTree() throws IOException {
        ObjectId same = run.remote.commit(PatchHarness.BRANCH, run.base,
            Map.of("greeting.txt", "hello\natlas\nbye\n", "src/app.txt", "app\n"), "same fix, made by hand");

        assertThat(run.run()).isZero();

        assertThat(run.remote.head(PatchHarness.BRANCH)).isEqualTo(same);
        assertThat(run.reported().path("commitSha").asText()).isEqualTo(same.name());
        assertThat(run.reported().path("alreadyCommitted").asBoolean()).isTrue();
    }

    @Test
    void reportsOnceSuccessfullyAfterTheResultEndpointAnswered503() throws IOException {
        CLOUD.stubFor(post(urlEqualTo("/jobs/task-1/results")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        CLOUD.stubFor(post(urlEqualTo("/jobs/task-1/results")).inScenario("flaky").whenScenarioStateIs("recovered")
            .willReturn(aResponse().withStatus(200)).willSetStateTo("done"));
        CLOUD.stubFor(post(urlEqualTo("/jobs/task-1/results")).inScenario("flaky").whenScenarioStateIs("done")
            .willReturn(aResponse().withStatus(500)));

        assertThat(run.run()).isZero();

        assertThat(run.reports()).hasSize(2);
        assertThat(run.reports().get(0).getBodyAsString()).isEqualTo(run.reports().get(1).getBodyAsString());
        CLOUD.verify(2, postRequestedFor(urlEqualTo("/jobs/task-1/results"))
            .withHeader("X-Atlas-Result-Name", equalTo("atlas-patch.json")));
    }

    @Test
    void doesNotRetryAResultTheCloudRefusedWith4xxAndExitsWithOne() throws IOException {
        CLOUD.stubFor(post(urlEqualTo("/jobs/task-1/results")).willReturn(aResponse().withStatus(401)));

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.reports()).hasSize(1);
        assertThat(run.err).contains("result not reported: result endpoint answered HTTP 401");
        assertThat(run.printed().path("status").asText()).isEqualTo("committed");
    }

    @Test
    void givesUpReportingAfterTheLastAttemptAndExitsWithOne() throws IOException {
        CLOUD.stubFor(post(urlEqualTo("/jobs/task-1/results")).willReturn(aResponse().withStatus(503)));

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.reports()).hasSize(3);
    }

    @Test
    void prefersPatchDiffOverThePatchField() throws IOException {
        run.task.put("patch", "this field is ignored when patch.diff exists");

        assertThat(run.run()).isZero();

        assertThat(run.remote.files(PatchHarness.BRANCH)).containsEntry("greeting.txt", "hello\natlas\nbye\n");
    }

    @Test
    void takesThePatchFromTheTaskWhenThereIsNoPatchDiff() throws IOException {
        run.patchAsField = true;

        assertThat(run.run()).isZero();

        assertThat(run.remote.files(PatchHarness.BRANCH)).containsEntry("greeting.txt", "hello\natlas\nbye\n");
    }

    @Test
    void reportsAnErrorNamingTheRefWhenItDoesNotExistOnTheRemote() throws IOException {
        run.task.with("repository").put("ref", "no-such-branch");

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("error");
        assertThat(run.reported().path("detail").asText()).startsWith("repository.ref:");
    }

    @Test
    void reportsAnErrorWhenTheRepositoryCannotBeReached() throws IOException {
        run.task.with("repository").put("cloneUrl", tmp.resolve("missing.git").toUri().toString());

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("error");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"repository.sha", "repository.cloneUrl", "commit.branch", "commit.message", "commit.author.email",
        "appId"})
    void reportsAnErrorNamingAMissingTaskField(String field) throws IOException {
        String[] path = field.split("\\.");
        ObjectNode parent = run.task;
        for (int i = 0; i < path.length - 1; i++) {
            parent = (ObjectNode) parent.get(path[i]);
        }
        parent.remove(path[path.length - 1]);

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("error");
        assertThat(run.reported().path("detail").asText()).isEqualTo(field + ": missing or empty");
        assertThat(run.printed().path("detail").asText()).isEqualTo(field + ": missing or empty");
        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
    }

    @Test
    void reportsToAtlasNeverToTheResultUrlInTheTask() throws IOException {
        CLOUD.stubFor(post(urlPathMatching("/results/.*")).willReturn(aResponse().withStatus(200)));

        assertThat(run.run()).isZero();

        assertThat(run.reports()).hasSize(1);
        CLOUD.verify(0, postRequestedFor(urlPathMatching("/results/.*")));
    }

    @Test
    void printsTheResultButCannotReportWithoutAtlasJobUrl() throws IOException {
        run.jobUrl = null;

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.printed().path("status").asText()).isEqualTo("committed");
        assertThat(run.reports()).isEmpty();
        assertThat(run.err).contains("result not reported: ATLAS_JOB_URL missing or invalid");
    }

    @Test
    void reportsAnErrorNamingTheProxyTokenWhenAPullRequestIsAskedWithoutOne() throws IOException {
        run.withPullRequest();
        run.proxyTokenMounted = false;

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.reported().path("detail").asText()).isEqualTo("secrets/proxy-token: missing or empty");
        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
    }

    @Test
    void leavesNoWorkspaceBehind() throws IOException {
        run.run();

        try (var left = Files.list(run.workspaceRoot())) {
            assertThat(left).isEmpty();
        }
    }
}
