package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code atlas report} for analysis and autofix tasks: every result file goes to Atlas, then the summary. */
class ReportCommandIT {
    @RegisterExtension
    static final WireMockExtension ATLAS = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @TempDir
    Path tmp;

    ReportHarness run;

    @AfterEach
    void close() {
        if (run != null) {
            run.close();
        }
    }

    private ReportHarness analysis() throws Exception {
        run = new ReportHarness(tmp, ATLAS, "analysis");
        return run;
    }

    @Test
    void postsEveryJsonFileInNameOrderEachOnItsOwnWithTheResultTokenThenTheSummary() throws Exception {
        String b = "{\"taskId\":\"task-1\",\"status\":\"ok\",\"findings\":[1]}";
        String a = "{\"taskId\":\"task-1\",\"status\":\"ok\",\"detail\":\"\u00e9\"}\n";
        analysis().result("b.json", b).result("a.json", a).result("notes.txt", "not a result");

        assertThat(run.run()).isZero();

        assertThat(run.names()).containsExactly("a.json", "b.json", ResultFiles.SUMMARY_NAME);
        List<LoggedRequest> posts = run.posts();
        assertThat(posts.get(0).getBody()).isEqualTo(a.getBytes(StandardCharsets.UTF_8));
        assertThat(posts.get(1).getBody()).isEqualTo(b.getBytes(StandardCharsets.UTF_8));
        for (LoggedRequest post : posts) {
            assertThat(post.getHeader("Authorization")).isEqualTo("Bearer " + ReportHarness.RESULT_TOKEN);
            assertThat(post.getHeader("Content-Type")).startsWith("application/json");
        }
        JsonNode summary = run.summary();
        assertThat(summary.path("taskId").asText()).isEqualTo("task-1");
        assertThat(summary.path("type").asText()).isEqualTo("analysis");
        assertThat(summary.path("status").asText()).isEqualTo("succeeded");
        assertThat(summary.path("detail").asText()).isEqualTo("posted 2 result file(s)");
        assertThat(summary.path("posted").toString()).isEqualTo("[\"a.json\",\"b.json\"]");
        assertThat(summary.has("push")).isFalse();
        assertThat(run.mapper.readTree(run.out)).isEqualTo(summary);
        assertThat(run.git.requests).isEmpty();
    }

    @Test
    void skipsFilesThatAreNotPlainJsonAndStillPostsTheOthersNamingEachInTheSummary() throws Exception {
        analysis().result("good.json", "{\"status\":\"ok\"}")
            .result("broken.json", "{\"status\":")
            .result("twice.json", "{\"status\":\"ok\",\"status\":\"failed\"}")
            .result("bad name.json", "{}")
            .result(ResultFiles.SUMMARY_NAME, "{\"status\":\"forged\"}")
            .result("empty.json", "");
        Path secret = Files.writeString(tmp.resolve("outside.json"), "{\"token\":\"" + ReportHarness.GIT_TOKEN + "\"}");
        Files.createSymbolicLink(run.resultsDir.resolve("link.json"), secret);
        Files.createDirectory(run.resultsDir.resolve("folder.json"));

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.names()).containsExactly("good.json", ResultFiles.SUMMARY_NAME);
        JsonNode summary = run.summary();
        assertThat(summary.path("status").asText()).isEqualTo("failed");
        assertThat(summary.path("skipped").findValuesAsText("file")).containsExactlyInAnyOrder("bad name.json",
            "broken.json", "empty.json", "folder.json", "link.json", "twice.json", ResultFiles.SUMMARY_NAME);
        assertThat(summary.path("detail").asText()).contains("link.json (not a regular file)")
            .contains("broken.json (not JSON)").contains("twice.json (not JSON Atlas accepts (a key appears twice))");
        assertThat(run.posts().stream().map(LoggedRequest::getBodyAsString)).noneMatch(body ->
            body.contains(ReportHarness.GIT_TOKEN) || body.contains("forged"));
        assertThat(run.err).contains("not posted:");
    }

    @Test
    void namesAFileAtlasRefusedAsNotPostedAndExitsWithOne() throws Exception {
        analysis().result("big.json", "{\"x\":\"" + "a".repeat(100) + "\"}").result("small.json", "{}");
        ATLAS.stubFor(post(urlPathEqualTo("/jobs/task-1/results")).withHeader("X-Atlas-Result-Name", equalTo("big.json"))
            .willReturn(aResponse().withStatus(413)));

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.names()).containsExactly("big.json", "small.json", ResultFiles.SUMMARY_NAME);
        assertThat(run.summary().path("skipped").get(0).path("reason").asText())
            .isEqualTo("result endpoint answered HTTP 413");
        assertThat(run.summary().path("posted").toString()).isEqualTo("[\"small.json\"]");
    }

    @Test
    void retriesAResultAtlasCouldNotTakeYetAndPostsItOnce() throws Exception {
        analysis().result("a.json", "{}");
        ATLAS.stubFor(post(urlPathEqualTo("/jobs/task-1/results")).inScenario("busy")
            .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
            .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));

        assertThat(run.run()).isZero();

        assertThat(run.names()).containsExactly("a.json", "a.json", ResultFiles.SUMMARY_NAME);
    }

    @Test
    void postsOnlyTheSummaryWhenTheTaskWroteNoResult() throws Exception {
        analysis();
        Files.delete(run.resultsDir);

        assertThat(run.run()).isZero();

        assertThat(run.names()).containsExactly(ResultFiles.SUMMARY_NAME);
        assertThat(run.summary().path("detail").asText()).isEqualTo("posted 0 result file(s)");
    }

    @Test
    void postsNothingAndExitsWithOneWithoutAtlasJobUrl() throws Exception {
        analysis().result("a.json", "{}");
        run.jobUrl = null;

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.posts()).isEmpty();
        assertThat(run.err).contains("ATLAS_JOB_URL missing or invalid");
    }

    @Test
    void reportsAnUnusableTaskWithoutPostingAnything() throws Exception {
        analysis().task.put("type", "patch");

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.posts()).isEmpty();
        assertThat(run.mapper.readTree(run.out).path("detail").asText()).startsWith("type: must be one of");
    }
}
