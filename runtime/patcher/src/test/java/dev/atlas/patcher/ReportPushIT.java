package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code atlas report} for a transformer: the work tree's changes become one commit pushed through the task's git
 * endpoint (smart HTTP, the git token as Basic password), then the results and the summary go to Atlas.
 */
class ReportPushIT {
    @RegisterExtension
    static final WireMockExtension ATLAS = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @TempDir
    Path tmp;

    ReportHarness run;

    @BeforeEach
    void setUp() throws Exception {
        run = new ReportHarness(tmp, ATLAS, "transformer");
    }

    @AfterEach
    void close() {
        run.close();
    }

    private void write(String path, String content) throws Exception {
        Path file = run.workTree.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @Test
    void commitsTheWorkTreeChangesAsTheAuthorAndPushesThemThroughTheGitEndpoint() throws Exception {
        write("greeting.txt", "hello, transformed\n");
        write("docs/new.md", "# new\n");
        Files.delete(run.workTree.resolve("src/app.txt"));
        write("debug.log", "ignored by .gitignore\n");
        write("build/out.bin", "ignored folder\n");
        run.result("a.json", "{\"status\":\"ok\"}");

        assertThat(run.run()).isZero();

        RevCommit commit = run.remote.commitAt(ReportHarness.BRANCH);
        assertThat(commit.getParent(0).getId()).isEqualTo(run.base);
        assertThat(commit.getAuthorIdent().getName()).isEqualTo("Atlas Bot");
        assertThat(commit.getCommitterIdent().getEmailAddress()).isEqualTo("bot@atlas.example");
        assertThat(commit.getFullMessage()).isEqualTo("Transform it\n\nAtlas-Task-Id: task-1\n");
        assertThat(run.remote.files(ReportHarness.BRANCH)).isEqualTo(Map.of("greeting.txt", "hello, transformed\n",
            "docs/new.md", "# new\n", ".gitignore", "*.log\nbuild/\n"));
        assertThat(run.remote.head("main")).isEqualTo(run.base);

        JsonNode summary = run.summary();
        assertThat(summary.path("status").asText()).isEqualTo("succeeded");
        assertThat(summary.path("push").path("status").asText()).isEqualTo("committed");
        assertThat(summary.path("push").path("commitSha").asText()).isEqualTo(commit.name());
        assertThat(summary.path("push").path("branch").asText()).isEqualTo(ReportHarness.BRANCH);
        assertThat(run.names()).containsExactly("a.json", ResultFiles.SUMMARY_NAME);
        assertThat(run.git.requests).anyMatch(r -> r.startsWith("POST /git-receive-pack"));
        String basic = "Basic " + Base64.getEncoder().encodeToString(("atlas:" + ReportHarness.GIT_TOKEN)
            .getBytes(StandardCharsets.UTF_8));
        assertThat(run.git.authorizations).isNotEmpty().allMatch(basic::equals);
    }

    @Test
    void neverPutsTheGitTokenInTheWorkspaceTheOutputOrAResult() throws Exception {
        write("greeting.txt", "changed\n");

        run.run();

        assertThat(PatchHarness.filesContaining(tmp.resolve("workspace"), ReportHarness.GIT_TOKEN)).isEmpty();
        assertThat(Files.readString(run.workTree.resolve(".git/config"))).doesNotContain("jobs/task-1");
        assertThat(run.out + run.err).doesNotContain(ReportHarness.GIT_TOKEN).doesNotContain(ReportHarness.RESULT_TOKEN);
        assertThat(run.posts()).allSatisfy(p -> assertThat(p.getBodyAsString()).doesNotContain(ReportHarness.GIT_TOKEN));
        try (var left = Files.list(tmp.resolve("workspace"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("repo");
        }
    }

    @Test
    void keepsTheExecutableBitAndRecordsNoChangeForAnUntouchedTree() throws Exception {
        Path script = run.workTree.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThat(run.run()).isZero();

        assertThat(run.remote.files(ReportHarness.BRANCH)).containsEntry("run.sh", RemoteRepo.EXECUTABLE + "#!/bin/sh\n");
    }

    @Test
    void pushesNothingWhenTheTransformerChangedNothing() throws Exception {
        write("debug.log", "only an ignored file\n");

        assertThat(run.run()).isZero();

        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
        assertThat(run.summary().path("push").path("status").asText()).isEqualTo("no_changes");
    }

    @Test
    void neverAddsASecondCommitWhenTheSameTaskReportsAgain() throws Exception {
        write("greeting.txt", "once\n");
        assertThat(run.run()).isZero();
        RevCommit first = run.remote.commitAt(ReportHarness.BRANCH);

        assertThat(run.run()).isZero();

        assertThat(run.remote.commitAt(ReportHarness.BRANCH)).isEqualTo(first);
        assertThat(run.summary().path("push").path("detail").asText()).contains("already committed");
    }

    @ParameterizedTest
    @ValueSource(strings = {".github/workflows/x.yml", ".gitlab-ci.yml", "Jenkinsfile", ".circleci/config.yml"})
    void refusesToPushCiConfigurationButStillPostsTheResults(String path) throws Exception {
        write("greeting.txt", "changed\n");
        write(path, "steps: [curl evil.example]\n");
        run.result("a.json", "{}");

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
        JsonNode summary = run.summary();
        assertThat(summary.path("push").path("status").asText()).isEqualTo("push_refused");
        assertThat(summary.path("push").path("detail").asText()).contains("CI configuration may not be pushed");
        assertThat(summary.path("status").asText()).isEqualTo("failed");
        assertThat(run.names()).containsExactly("a.json", ResultFiles.SUMMARY_NAME);
    }

    @Test
    void pushesCiConfigurationThePushRulesAllow() throws Exception {
        write(".gitlab-ci.yml", "test: {script: [make]}\n");
        run.task.with("push").withArray("allowPaths").add(".gitlab-ci.yml");

        assertThat(run.run()).isZero();

        assertThat(run.remote.files(ReportHarness.BRANCH)).containsKey(".gitlab-ci.yml");
    }

    @Test
    void refusesASymbolicLinkAndNeverReadsWhereItPoints() throws Exception {
        Path secrets = tmp.resolve("secrets");
        Files.createDirectories(secrets);
        Files.createSymbolicLink(run.workTree.resolve("token.txt"), secrets.resolve("clone-token"));

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
        assertThat(run.summary().path("push").path("detail").asText()).contains("symbolic links are refused");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void refusesAFifoInsteadOfBlockingOnIt() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", run.workTree.resolve("pipe.txt").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.summary().path("push").path("detail").asText()).contains("special files");
        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
    }

    @Test
    void runsNothingTheWorkspacesGitConfigAsksFor() throws Exception {
        Path marker = tmp.resolve("filter-ran");
        Files.writeString(run.workTree.resolve(".git/config"), "[filter \"evil\"]\n\tclean = touch " + marker + "\n"
            + "[core]\n\tfsmonitor = touch " + marker + "\n\thooksPath = /tmp\n", java.nio.file.StandardOpenOption.APPEND);
        write(".gitattributes", "* filter=evil\n");
        write("greeting.txt", "raw content\n");

        assertThat(run.run()).isZero();

        assertThat(marker).doesNotExist();
        assertThat(run.remote.files(ReportHarness.BRANCH)).containsEntry("greeting.txt", "raw content\n");
    }

    @Test
    void refusesAPathThatLooksLikeGitsOwnFolder() throws Exception {
        write(".GIT/hooks/post-checkout", "#!/bin/sh\n");

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
        assertThat(run.summary().path("push").path("status").asText()).isEqualTo("push_refused");
    }

    @Test
    void reportsARejectedPushWhenTheBranchHoldsOtherCommits() throws Exception {
        run.remote.commit(ReportHarness.BRANCH, run.base, Map.of("greeting.txt", "someone else\n"), "other work");
        write("greeting.txt", "mine\n");

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.remote.commitAt(ReportHarness.BRANCH).getFullMessage()).isEqualTo("other work");
        assertThat(run.summary().path("push").path("status").asText()).isEqualTo("push_rejected");
    }

    @Test
    void reportsAnErrorWhenTheGitEndpointRefusesTheToken() throws Exception {
        write("greeting.txt", "changed\n");
        Files.createDirectories(tmp.resolve("secrets"));
        run.task.with("repository").put("cloneUrl", run.git.url("another-task"));

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.summary().path("push").path("status").asText()).isEqualTo("error");
        assertThat(run.summary().toString()).doesNotContain(ReportHarness.GIT_TOKEN);
    }
}
