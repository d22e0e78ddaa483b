package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A patch task end to end on the local driver, for real: the cloud posts the task to {@code bin/atlas run}; the local
 * driver runs {@code atlas patch} as a process; it clones over smart HTTP with the clone token, applies the patch,
 * pushes a branch, opens the pull request through Atlas's own VCS proxy with its task-scoped token, and reports
 * {@code pr_opened} to the cloud with its result token.
 */
class PatchTaskEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void patchTaskOnTheLocalDriverCommitsPushesAndOpensThePullRequestThroughTheProxy() throws Exception {
        // the repository, served over smart HTTP
        Path repos = dir.resolve("repos/acme");
        String head = LocalGit.seedRepository(dir, "hello\n");

        List<JsonNode> results = new CopyOnWriteArrayList<>();
        List<Map<String, List<String>>> pullRequests = new CopyOnWriteArrayList<>();
        try (GitHttpServer gitServer = GitHttpServer.start(dir.resolve("repos"))) {
            HttpServer github = LocalGit.server(s -> s.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String path = exchange.getRequestURI().getPath();
                String answer = "{}";
                int status = 200;
                if (path.endsWith("/access_tokens")) {
                    status = 201;
                    answer = "{\"token\":\"ghs_e2e_token\",\"expires_at\":\"" + Instant.now().plusSeconds(3600) + "\"}";
                } else if (path.equals("/api/v3/repos/acme/api/pulls") && exchange.getRequestMethod().equals("POST")) {
                    pullRequests.add(Map.copyOf(exchange.getRequestHeaders()));
                    status = 201;
                    answer = "{\"number\":42,\"html_url\":\"https://github.example/acme/api/pull/42\","
                        + "\"request\":" + new String(body, StandardCharsets.UTF_8) + "}";
                }
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            }));
            HttpServer cloud = LocalGit.server(s -> s.createContext("/results/", exchange -> {
                results.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            }));
            int port = Distribution.freePort();
            String cloudUrl = "http://127.0.0.1:" + cloud.getAddress().getPort();
            Path config = Distribution.githubConfig(dir, port, cloudUrl, "hook");
            Files.writeString(config, Files.readString(config)
                .replace("webUrl: https://github.example", "webUrl: " + gitServer.url())
                .replace("apiUrl: https://github.example/api/v3", "apiUrl: http://127.0.0.1:"
                    + github.getAddress().getPort() + "/api/v3")
                .replace("appId: \"12345\"", "appId: \"12345\"\n          installationId: \"99\""));
            // no bin/ of the distribution on the PATH: the local driver puts it there for Atlas's own steps
            Process atlas = Distribution.start(Map.of(), "run", "--config", config.toString());
            try {
                String base = "http://127.0.0.1:" + port;
                await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);
                String task = """
                    {"type": "patch", "appId": "gh-main", "installationId": 99,
                     "repository": {"cloneUrl": "%s/acme/api.git", "ref": "main", "sha": "%s"},
                     "resultUrl": "%s/results/e2e-patch-1",
                     "patch": "--- a/README.md\\n+++ b/README.md\\n@@ -1 +1,2 @@\\n hello\\n+fixed by atlas\\n",
                     "commit": {"branch": "atlas/autofix-1", "message": "Fix the greeting",
                                "author": {"name": "Atlas Bot", "email": "bot@atlas.example"}},
                     "pullRequest": {"title": "Autofix", "body": "from the cloud", "base": "main"}}
                    """.formatted(gitServer.url(), head, cloudUrl);
                HttpResponse<String> accepted = Distribution.post(base + "/api/tasks/e2e-patch-1",
                    task.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json", "Authorization",
                    "Bearer " + Distribution.cloudToken());
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);

                await().atMost(Duration.ofSeconds(120)).until(() -> !results.isEmpty());
                JsonNode result = results.get(0);
                assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("pr_opened");
                assertThat(result.path("taskId").asText()).isEqualTo("e2e-patch-1");
                assertThat(result.toString()).doesNotContain("ghs_e2e_token");
                // the commit is on the pushed branch, authored as asked
                String log = LocalGit.git(repos.resolve("api.git"), "log", "-1", "--format=%an <%ae>|%s", "atlas/autofix-1");
                assertThat(log).startsWith("Atlas Bot <bot@atlas.example>|Fix the greeting");
                assertThat(LocalGit.git(repos.resolve("api.git"), "show", "atlas/autofix-1:README.md"))
                    .isEqualTo("hello\nfixed by atlas");
                // the clone token travelled only to the git server; the PR went through the proxy with the
                // installation token Atlas injected, never the job's own token
                assertThat(gitServer.authorizations()).isNotEmpty().allSatisfy(a -> assertThat(new String(
                    java.util.Base64.getDecoder().decode(a.substring("Basic ".length())), StandardCharsets.UTF_8))
                    .isEqualTo("x-access-token:ghs_e2e_token"));
                assertThat(pullRequests).hasSize(1);
                assertThat(pullRequests.get(0).get("Authorization")).containsExactly("Bearer ghs_e2e_token");
                assertThat(Distribution.output(atlas)).doesNotContain("ghs_e2e_token").doesNotContain("PRIVATE KEY");
            } finally {
                atlas.destroy();
                atlas.waitFor(30, TimeUnit.SECONDS);
                github.stop(0);
                cloud.stop(0);
            }
        }
    }

    /**
     * The same on a GitLab app: Atlas looks up the project's numeric id itself (with the app's token) when it builds
     * the job, and the job opens the merge request through the proxy on {@code /projects/<id>/merge_requests}, with a
     * body the policy checked (the target project is the path's own) and re-wrote.
     */
    @Test
    void patchTaskOnAGitlabAppOpensTheMergeRequestByTheProjectIdAtlasLookedUp() throws Exception {
        Path repos = dir.resolve("repos/acme");
        String head = LocalGit.seedRepository(dir, "hello\n");

        List<JsonNode> results = new CopyOnWriteArrayList<>();
        List<String> gitlabCalls = new CopyOnWriteArrayList<>();
        List<JsonNode> mergeRequests = new CopyOnWriteArrayList<>();
        List<Map<String, List<String>>> mergeRequestHeaders = new CopyOnWriteArrayList<>();
        try (GitHttpServer gitServer = GitHttpServer.start(dir.resolve("repos"))) {
            HttpServer gitlab = LocalGit.server(s -> s.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String path = exchange.getRequestURI().getRawPath();
                gitlabCalls.add(exchange.getRequestMethod() + " " + path);
                String answer = "{\"message\":\"404 Not Found\"}";
                int status = 404;
                if (path.equals("/api/v4/projects/acme%2Fapi") && exchange.getRequestMethod().equals("GET")) {
                    status = 200;
                    answer = "{\"id\":4711,\"path_with_namespace\":\"acme/api\",\"runners_token\":\"GR-never\"}";
                } else if (path.equals("/api/v4/projects/4711/merge_requests") && exchange.getRequestMethod().equals("POST")) {
                    mergeRequests.add(JSON.readTree(body));
                    mergeRequestHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
                    status = 201;
                    answer = "{\"iid\":3,\"web_url\":\"https://gitlab.example/acme/api/-/merge_requests/3\"}";
                }
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            }));
            HttpServer cloud = LocalGit.server(s -> s.createContext("/results/", exchange -> {
                results.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            }));
            int port = Distribution.freePort();
            String cloudUrl = "http://127.0.0.1:" + cloud.getAddress().getPort();
            Path config = Distribution.githubConfig(dir, port, cloudUrl, "hook");
            String yaml = Files.readString(config);
            String githubApp = yaml.substring(yaml.indexOf("      - id: gh-main"), yaml.indexOf("webhooks:"));
            Files.writeString(config, yaml.replace(githubApp, """
                      - id: gl-main
                        vcs: gitlab
                        webUrl: %s
                        apiUrl: http://127.0.0.1:%d/api/v4
                        webhookSecret: ${file:hook-secret}
                        gitlab:
                          token: glpat-e2e-token
                """.formatted(gitServer.url(), gitlab.getAddress().getPort())));
            String path = Distribution.HOME.resolve("bin") + ":" + System.getenv("PATH");
            Process atlas = Distribution.start(Map.of("PATH", path), "run", "--config", config.toString());
            try {
                String base = "http://127.0.0.1:" + port;
                await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);
                String task = """
                    {"type": "patch", "appId": "gl-main",
                     "repository": {"cloneUrl": "%s/acme/api.git", "ref": "main", "sha": "%s"},
                     "resultUrl": "%s/results/e2e-gl-patch-1",
                     "patch": "--- a/README.md\\n+++ b/README.md\\n@@ -1 +1,2 @@\\n hello\\n+fixed by atlas\\n",
                     "commit": {"branch": "atlas/autofix-1", "message": "Fix the greeting",
                                "author": {"name": "Atlas Bot", "email": "bot@atlas.example"}},
                     "pullRequest": {"title": "Autofix", "body": "from the cloud", "base": "main"}}
                    """.formatted(gitServer.url(), head, cloudUrl);
                HttpResponse<String> accepted = Distribution.post(base + "/api/tasks/e2e-gl-patch-1",
                    task.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json", "Authorization",
                    "Bearer " + Distribution.cloudToken());
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);

                await().atMost(Duration.ofSeconds(120)).until(() -> !results.isEmpty());
                JsonNode result = results.get(0);
                assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("pr_opened");
                assertThat(LocalGit.git(repos.resolve("api.git"), "show", "atlas/autofix-1:README.md"))
                    .isEqualTo("hello\nfixed by atlas");
                // Atlas asked for the project id once, by path; the job only ever called the merge-request path
                assertThat(gitlabCalls).containsExactly("GET /api/v4/projects/acme%2Fapi",
                    "POST /api/v4/projects/4711/merge_requests");
                assertThat(mergeRequests).hasSize(1);
                JsonNode mergeRequest = mergeRequests.get(0);
                assertThat(mergeRequest.path("source_branch").asText()).isEqualTo("atlas/autofix-1");
                assertThat(mergeRequest.path("target_branch").asText()).isEqualTo("main");
                assertThat(mergeRequest.path("title").asText()).isEqualTo("Autofix");
                assertThat(mergeRequest.has("target_project_id")).isFalse();
                Map<String, List<String>> headers = mergeRequestHeaders.get(0);
                assertThat(headers.get("Authorization")).containsExactly("Bearer glpat-e2e-token");
                assertThat(headers.get("Content-type")).containsExactly("application/json");
                assertThat(gitServer.authorizations()).isNotEmpty().allSatisfy(a -> assertThat(new String(
                    java.util.Base64.getDecoder().decode(a.substring("Basic ".length())), StandardCharsets.UTF_8))
                    .isEqualTo("oauth2:glpat-e2e-token"));
                assertThat(result.toString()).doesNotContain("glpat-e2e-token");
                assertThat(Distribution.output(atlas)).doesNotContain("glpat-e2e-token");
            } finally {
                atlas.destroy();
                atlas.waitFor(30, TimeUnit.SECONDS);
                gitlab.stop(0);
                cloud.stop(0);
            }
        }
    }
}
