package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One {@code atlas report} run as a job's last part: a bare repository behind a smart-HTTP git endpoint that wants
 * the git token, a workspace with a clone of it (what the clone part leaves), a results folder, and WireMock standing
 * in for Atlas's results endpoint.
 */
final class ReportHarness implements AutoCloseable {
    static final String GIT_TOKEN = "git-SECRET-123";
    static final String RESULT_TOKEN = "res-SECRET-456";
    static final String TASK = "task-1";
    static final String BRANCH = "atlas/transform-1";

    final ObjectMapper mapper = new ObjectMapper();
    final Path root;
    final RemoteRepo remote;
    final SmartHttpGitServer git;
    final WireMockExtension atlas;
    final ObjectId base;
    final ObjectNode task;
    final Path workTree;
    final Path resultsDir;
    URI jobUrl;
    String out;
    String err;
    int exit;

    ReportHarness(Path root, WireMockExtension atlas, String type) throws IOException, GitAPIException {
        this.root = root;
        this.atlas = atlas;
        this.remote = new RemoteRepo(root.resolve("remote.git"));
        this.base = remote.commit("main", null, Map.of("greeting.txt", "hello\n", "src/app.txt", "app\n",
            ".gitignore", "*.log\nbuild/\n"), "initial");
        this.git = new SmartHttpGitServer(remote, TASK, GIT_TOKEN);
        this.workTree = root.resolve("workspace/repo");
        this.resultsDir = Files.createDirectories(root.resolve("results"));
        try (Git clone = Git.cloneRepository().setURI(remote.url()).setBranch("main")
            .setDirectory(workTree.toFile()).call()) {
            clone.checkout().setName(base.name()).call();
        }
        atlas.stubFor(WireMock.post(urlPathEqualTo("/jobs/" + TASK + "/results")).willReturn(aResponse().withStatus(202)));
        this.jobUrl = URI.create(atlas.baseUrl() + "/jobs/" + TASK);
        this.task = mapper.createObjectNode();
        task.put("taskId", TASK).put("type", type).put("appId", "gh-main").put("vcs", "github");
        task.putObject("repository").put("cloneUrl", git.url(TASK)).put("ref", "main").put("sha", base.name());
        task.put("resultUrl", "https://cloud.example/results/" + TASK);
        if (type.equals("transformer")) {
            ObjectNode commit = task.putObject("commit").put("branch", BRANCH).put("message", "Transform it");
            commit.putObject("author").put("name", "Atlas Bot").put("email", "bot@atlas.example");
            task.putObject("push").put("branchPrefix", "atlas/").putArray("allowPaths");
        }
    }

    /** Writes {@code content} as result file {@code name}. */
    ReportHarness result(String name, String content) throws IOException {
        Files.writeString(resultsDir.resolve(name), content);
        return this;
    }

    int run() throws IOException {
        Path taskDir = Files.createDirectories(root.resolve("task"));
        Path secretsDir = Files.createDirectories(root.resolve("secrets"));
        Files.writeString(taskDir.resolve("task.json"), task.toString());
        // as a Kubernetes Secret volume may render them, trailing newline included
        Files.writeString(secretsDir.resolve("clone-username"), "atlas\n");
        Files.writeString(secretsDir.resolve("clone-token"), GIT_TOKEN + "\n");
        Files.writeString(secretsDir.resolve("result-token"), RESULT_TOKEN + "\n");
        ReportCommand.Options options = new ReportCommand.Options(jobUrl, root.resolve("workspace"), resultsDir,
            RetryPolicy.immediate(3), PatchCommand.Options.defaultHttpClient(), Duration.ofSeconds(30));
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            exit = new ReportCommand(options).execute(taskDir, secretsDir, o, e);
        }
        out = outBytes.toString(StandardCharsets.UTF_8);
        err = errBytes.toString(StandardCharsets.UTF_8);
        return exit;
    }

    /** Every result POST Atlas received, in order. */
    List<LoggedRequest> posts() {
        return atlas.findAll(postRequestedFor(urlPathEqualTo("/jobs/" + TASK + "/results")));
    }

    /** The file names posted, in order. */
    List<String> names() {
        return posts().stream().map(r -> r.getHeader("X-Atlas-Result-Name")).toList();
    }

    /** The summary as posted (the last post). */
    JsonNode summary() throws IOException {
        List<LoggedRequest> posts = posts();
        LoggedRequest last = posts.get(posts.size() - 1);
        if (!ResultFiles.SUMMARY_NAME.equals(last.getHeader("X-Atlas-Result-Name"))) {
            throw new AssertionError("the last post is not the summary: " + names());
        }
        return mapper.readTree(last.getBodyAsString());
    }

    @Override
    public void close() {
        git.close();
        remote.close();
    }
}
