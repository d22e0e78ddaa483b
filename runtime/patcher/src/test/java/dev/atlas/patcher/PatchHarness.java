package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One patch run against a real bare repository and WireMock as Atlas (its results endpoint and VCS proxy): writes the
 * task and secrets dirs the way a driver mounts them, runs {@link PatchCommand}, and keeps stdout, stderr and the exit
 * code.
 */
final class PatchHarness {
    static final String CLONE_TOKEN = "tok-SECRET-123";
    static final String RESULT_TOKEN = "res-SECRET-456";
    static final String PROXY_TOKEN = "prx-SECRET-789";
    static final String BRANCH = "atlas/fix-1";
    static final String GREETING = "hello\nworld\nbye\n";
    static final String GREETING_PATCH = """
        diff --git a/greeting.txt b/greeting.txt
        index 1111111..2222222 100644
        --- a/greeting.txt
        +++ b/greeting.txt
        @@ -1,3 +1,3 @@
         hello
        -world
        +atlas
         bye
        """;

    final ObjectMapper mapper = new ObjectMapper();
    final Path root;
    final RemoteRepo remote;
    final WireMockExtension cloud;
    final ObjectId base;
    final ObjectNode task;
    String patch = GREETING_PATCH;
    boolean patchAsField;
    boolean proxyTokenMounted = true;
    RepositoryWorkspace.BeforePush beforePush = dir -> { };
    /** {@code ATLAS_JOB_URL}: WireMock stands in for Atlas's results endpoint; null as if unset. */
    java.net.URI jobUrl;
    String out;
    String err;
    int exit;

    PatchHarness(Path root, WireMockExtension cloud) throws IOException {
        this.root = root;
        this.cloud = cloud;
        this.remote = new RemoteRepo(root.resolve("remote.git"));
        this.base = remote.commit("main", null, Map.of("greeting.txt", GREETING, "src/app.txt", "app\n"), "initial");
        cloud.stubFor(WireMock.post(urlPathMatching("/jobs/.*/results")).willReturn(aResponse().withStatus(202)));
        this.jobUrl = java.net.URI.create(cloud.baseUrl() + "/jobs/task-1");
        this.task = mapper.createObjectNode();
        task.put("taskId", "task-1").put("type", "patch").put("appId", "gh-main");
        task.putObject("repository").put("cloneUrl", remote.url()).put("ref", "main").put("sha", base.name());
        task.put("resultUrl", cloud.baseUrl() + "/results/task-1");
        ObjectNode commit = task.putObject("commit").put("branch", BRANCH).put("message", "Fix the greeting");
        commit.putObject("author").put("name", "Atlas Bot").put("email", "bot@atlas.example");
    }

    /**
     * Adds a pull request to the task, pointed at the fake proxy, with the call a GitHub plugin builds for it
     * ({@code pullRequestCall}: Atlas writes it; the patcher knows no VCS).
     */
    PatchHarness withPullRequest() {
        task.putObject("pullRequest").put("title", "Fix greeting").put("body", "Autofix").put("base", "main");
        task.put("proxyUrl", cloud.baseUrl());
        String owner = remote.dir().getParent().getFileName().toString();
        ObjectNode call = task.putObject("pullRequestCall").put("method", "POST")
            .put("path", "/repos/" + owner + "/remote/pulls").put("urlPointer", "/html_url").put("numberPointer", "/number");
        call.putObject("body").put("title", "Fix greeting").put("body", "Autofix").put("head", BRANCH).put("base", "main");
        call.putObject("headers");
        return this;
    }

    int run() throws IOException {
        Path taskDir = Files.createDirectories(root.resolve("task"));
        Path secretsDir = Files.createDirectories(root.resolve("secrets"));
        Files.deleteIfExists(taskDir.resolve(PatchCommand.PATCH_FILE));
        if (patchAsField) {
            task.put("patch", patch);
        } else if (patch != null) {
            Files.writeString(taskDir.resolve(PatchCommand.PATCH_FILE), patch);
        }
        Files.writeString(taskDir.resolve(PatchCommand.TASK_FILE), task.toString());
        // Secret files as a Kubernetes Secret volume might render them, trailing newline included.
        Files.writeString(secretsDir.resolve(Secrets.CLONE_TOKEN), CLONE_TOKEN + "\n");
        Files.writeString(secretsDir.resolve(Secrets.RESULT_TOKEN), RESULT_TOKEN + "\n");
        Files.deleteIfExists(secretsDir.resolve(Secrets.PROXY_TOKEN));
        if (proxyTokenMounted) {
            Files.writeString(secretsDir.resolve(Secrets.PROXY_TOKEN), PROXY_TOKEN);
        }
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PatchCommand.Options options = new PatchCommand.Options(workspaceRoot(), RetryPolicy.immediate(3),
            PatchCommand.Options.defaultHttpClient(), Duration.ofSeconds(30), beforePush, jobUrl);
        try (PrintStream o = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            exit = new PatchCommand(options).execute(taskDir, secretsDir, o, e);
        }
        out = outBytes.toString(StandardCharsets.UTF_8);
        err = errBytes.toString(StandardCharsets.UTF_8);
        return exit;
    }

    Path workspaceRoot() {
        return root.resolve("work");
    }

    /** The JSON line printed on stdout. */
    JsonNode printed() throws IOException {
        List<String> lines = out.lines().toList();
        if (lines.size() != 1) {
            throw new AssertionError("expected one line on stdout, got: " + out);
        }
        return mapper.readTree(lines.get(0));
    }

    List<LoggedRequest> reports() {
        return cloud.findAll(postRequestedFor(urlPathMatching("/jobs/.*/results")));
    }

    /** The body of the last result POST. */
    JsonNode reported() throws IOException {
        List<LoggedRequest> reports = reports();
        if (reports.isEmpty()) {
            throw new AssertionError("no result was reported");
        }
        return mapper.readTree(reports.get(reports.size() - 1).getBodyAsString());
    }

    String status() throws IOException {
        return reported().path("status").asText();
    }

    /** Every file under {@code dir} whose bytes contain {@code secret}. */
    static List<Path> filesContaining(Path dir, String secret) {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(file -> contains(read(file), needle)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
