package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The drop-in proof: the Gitea plugin zip (built on the published plugin kit only) copied into the {@code plugins/}
 * of an otherwise unmodified copy of the distribution, and {@code bin/atlas run} serving a {@code gt-main} app against
 * a fake Gitea that checks request shapes from Gitea's API documentation: signed webhooks relayed (a bad signature
 * refused), an allowed API call proxied with the app's token and filtered, a code-bearing one denied before it
 * reaches Gitea (the plugin's whole REST case table replayed over HTTP), GraphQL answered 404 by Atlas itself (Gitea has
 * none), an OAuth login through Atlas's identity provider, and a patch task whose job opens its pull request through
 * the proxy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GiteaDropInIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The plugin's own policy case table, replayed over HTTP through bin/atlas. */
    private static final Path CASES = Path.of("../plugins/vcs-gitea/src/test/resources/policy-cases.yaml");
    private static final String TOKEN = FakeGitea.TOKEN;
    private static final String HOOK_SECRET = "gitea-hook-secret-9b2e";
    private static final String USER_TOKEN = FakeGitea.USER_TOKEN;
    private static final String REDIRECT = "https://asgard.example/cb";
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<FakeGitea.Seen> cloudSeen = new CopyOnWriteArrayList<>();
    private List<FakeGitea.Seen> giteaSeen;
    private FakeGitea gitea;
    private GitHttpServer gitServer;
    private String head;
    private HttpServer cloud;
    private Path home;
    private Path dir;
    private Path config;
    private Process atlas;
    private String base;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        int port = Distribution.freePort();
        base = "http://127.0.0.1:" + port;
        gitea = new FakeGitea(YAML.readTree(CASES.toFile()), base + "/auth/callback/gt-main");
        giteaSeen = gitea.seen();
        cloud = FakeGitea.recorder(cloudSeen);
        home = Distribution.copy(dir.resolve("atlas"));
        Files.copy(Path.of(System.getProperty("atlas.dropIn")), home.resolve("plugins/vcs-gitea.zip"));
        String fake = gitea.url();
        head = seedRepository(dir);
        gitServer = GitHttpServer.start(dir.resolve("repos"));
        config = dir.resolve("atlas.yaml");
        Files.writeString(config, """
            runner: {id: dist-runner, publicUrl: "%1$s", cloudSecret: whsec_c2VjcmV0LWJ5dGVzLWZvci10aGUtY2xvdWQ=}
            server: {host: 127.0.0.1, port: %2$d}
            shutdown: {timeout: 5s}
            cloud:
              url: "http://127.0.0.1:%3$d"
              auth: {hmacSecret: dist-cloud-jwt-secret-long-enough-for-hs256-keys, audience: dist-runner}
            installations:
              - id: acme
                apps:
                  - id: gt-main
                    vcs: gitea
                    webUrl: "%4$s"
                    apiUrl: "%4$s/api/v1"
                    webhookSecret: %5$s
                    gitea: {token: %6$s}
                    oauth: {clientId: gt-client, clientSecret: gt-client-secret}
                  - {id: gt-git, vcs: gitea, webUrl: "%8$s", apiUrl: "%4$s/api/v1", webhookSecret: %5$s, gitea: {token: %6$s}}
            webhooks: {spoolDir: spool, maxBackoff: 1s}
            tasks: {driver: local}
            auth:
              clients:
                - {id: asgard, secret: asgard-secret, redirectUris: ["%7$s"]}
              signingKeys: keys
            """.formatted(base, port, cloud.getAddress().getPort(), fake, HOOK_SECRET, TOKEN, REDIRECT,
                gitServer.url()));
        // the local driver's report step runs `atlas report` from the PATH: this copy's
        atlas = Distribution.startFrom(home, Map.of("ATLAS_HOME", home.toString(), "PATH", home.resolve("bin") + ":"
            + System.getenv("PATH")), "run", "--config", config.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);
    }

    @AfterAll
    void stop() throws Exception {
        if (atlas != null) {
            atlas.destroy();
            atlas.waitFor(30, TimeUnit.SECONDS);
            assertThat(Distribution.output(atlas)).contains("vcs-gitea")
                .doesNotContain(TOKEN).doesNotContain(HOOK_SECRET).doesNotContain(USER_TOKEN).doesNotContain("gt-client-secret");
        }
        gitea.close();
        gitServer.close();
        cloud.stop(0);
    }

    @Test
    void theDistributionItselfDoesNotShipTheGiteaPlugin() throws IOException {
        try (Stream<Path> plugins = Files.list(Distribution.HOME.resolve("plugins"))) {
            assertThat(plugins.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("gitea"));
        }
        Distribution.Result check = Distribution.run(Map.of(), "check", "--config", config.toString());
        assertThat(check.exitCode()).as(check.output()).isEqualTo(2);
        assertThat(check.output()).contains("installations[0].apps[0].vcs").contains("gitea");
        Distribution.Result withPlugin = Distribution.runFrom(home, Map.of("ATLAS_HOME", home.toString()), "check",
            "--config", config.toString());
        assertThat(withPlugin.exitCode()).as(withPlugin.output()).isZero();
    }

    @Test
    void policyTestOfTheDistributionAnswersWithThePluginsBuiltInPolicy() {
        Map<String, String> env = Map.of("ATLAS_HOME", home.toString());
        Distribution.Result raw = Distribution.runFrom(home, env, "policy", "test", "--config", config.toString(), "--app",
            "gt-main", "--rest", "GET /repos/acme/api/raw/README.md");
        assertThat(raw.exitCode()).as(raw.output()).isEqualTo(1);
        assertThat(raw.output()).contains("denied");
        Distribution.Result files = Distribution.runFrom(home, env, "policy", "test", "--config", config.toString(), "--app",
            "gt-main", "--rest", "GET /repos/acme/api/pulls/7/files");
        assertThat(files.exitCode()).as(files.output()).isZero();
        assertThat(files.output()).contains("allowed");
        Path query = home.resolve("viewer.graphql");
        try {
            Files.writeString(query, "{ viewer { login } }");
            Distribution.Result graphql = Distribution.runFrom(home, env, "policy", "test", "--config", config.toString(),
                "--app", "gt-main", "--graphql", query.toString());
            assertThat(graphql.exitCode()).as(graphql.output()).isEqualTo(1);
            assertThat(graphql.output()).contains("denied: the app's VCS has no GraphQL API");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Gitea has no GraphQL API: the plugin offers none, so Atlas answers 404 itself and Gitea hears nothing. */
    @Test
    void answersGraphqlWith404WithoutCallingGitea() throws Exception {
        int before = giteaSeen.size();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/vcs/graphql"))
            .header("Authorization", "Bearer " + Distribution.cloudToken()).header("X-App-ID", "gt-main")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ viewer { login } }\"}")).build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(response.body()).contains("no GraphQL API");
        assertThat(giteaSeen.subList(before, giteaSeen.size())).as("requests that reached Gitea").isEmpty();
    }

    /**
     * A patch task of a Gitea app: {@code atlas patch} in the job clones and pushes through the task's git endpoint
     * (which uses the app's token at the git server), then asks Atlas's proxy, with its task-scoped proxy token, to
     * make the call the plugin built. Gitea receives exactly one create-pull request, shaped as its API documents, with
     * the pushed branch and Atlas's injected token; the job's result, status and files never hold the token.
     */
    @Test
    void aPatchTaskOpensItsPullRequestThroughTheProxy() throws Exception {
        String task = """
            {"type": "patch", "appId": "gt-git",
             "repository": {"cloneUrl": "%s/acme/api.git", "ref": "main", "sha": "%s"},
             "resultUrl": "http://127.0.0.1:%d/results/gt-patch-1",
             "patch": "--- a/README.md\\n+++ b/README.md\\n@@ -1 +1,2 @@\\n hello\\n+fixed by atlas\\n",
             "commit": {"branch": "atlas/gitea-fix-1", "message": "Fix the greeting",
                        "author": {"name": "Atlas Bot", "email": "bot@atlas.example"}},
             "pullRequest": {"title": "Autofix", "body": "from the cloud", "base": "main"}}
            """.formatted(gitServer.url(), head, cloud.getAddress().getPort());
        HttpResponse<String> accepted = Distribution.post(base + "/api/tasks/gt-patch-1", task.getBytes(StandardCharsets.UTF_8),
            "Content-Type", "application/json", "Authorization", "Bearer " + Distribution.cloudToken());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(120)).until(() -> !results("gt-patch-1").isEmpty());
        JsonNode result = JSON.readTree(results("gt-patch-1").get(0).body());
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("pr_opened");
        assertThat(result.toString()).contains(gitea.url() + "/acme/api/pulls/8").doesNotContain(TOKEN);

        List<FakeGitea.Seen> creates = giteaSeen.stream().filter(s -> s.method().equals("POST")
            && s.path().equals("/api/v1/repos/acme/api/pulls")).toList();
        assertThat(creates).hasSize(1);
        FakeGitea.Seen create = creates.get(0);
        assertThat(create.header("Authorization")).isEqualTo("token " + TOKEN);
        JsonNode option = JSON.readTree(create.body());
        assertThat(option.path("head").asText()).isEqualTo("atlas/gitea-fix-1");
        assertThat(option.path("base").asText()).isEqualTo("main");
        assertThat(option.path("title").asText()).isEqualTo("Autofix");
        assertThat(option.path("body").asText()).isEqualTo("from the cloud");
        // the branch the pull request names is the one the job pushed, through Atlas's git endpoint
        assertThat(git(dir.resolve("repos/acme/api.git"), "show", "atlas/gitea-fix-1:README.md"))
            .isEqualTo("hello\nfixed by atlas");
        assertThat(gitServer.authorizations()).isNotEmpty().allSatisfy(a -> assertThat(new String(
            Base64.getDecoder().decode(a.substring("Basic ".length())), StandardCharsets.UTF_8)).isEqualTo("oauth2:" + TOKEN));
        JsonNode status = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/tasks/gt-patch-1"))
            .header("Authorization", "Bearer " + Distribution.cloudToken()).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body());
        assertThat(status.toString()).doesNotContain(TOKEN);
        assertThat(filesHolding(TOKEN)).as("files Atlas or the job wrote that hold the Gitea token").isEmpty();
    }

    private List<FakeGitea.Seen> results(String taskId) {
        return cloudSeen.stream().filter(s -> s.path().equals("/results/" + taskId)).toList();
    }

    /** Every file under the test's folder holding {@code text}, but the config (which names it) and the distribution. */
    private List<Path> filesHolding(String text) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.equals(config) && !f.startsWith(home))
                .filter(f -> {
                    try {
                        return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(text);
                    } catch (IOException e) {
                        return false; // gone meanwhile (a job folder cleared)
                    }
                }).toList();
        }
    }

    @Test
    void relaysASignedWebhookAndRefusesABadSignature() throws Exception {
        byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"bffeb74224043ba2feb48d137756c8a9331c449a\","
            + "\"repository\":{\"id\":140,\"full_name\":\"acme/api\"}}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> forged = Distribution.post(base + "/webhook/gitea/gt-main", body,
            "Content-Type", "application/json", "X-Gitea-Event", "push", "X-Gitea-Delivery", "forged-1",
            "X-Gitea-Signature", sign("not-the-secret", body));
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(401);

        HttpResponse<String> signed = Distribution.post(base + "/webhook/gitea/gt-main", body,
            "Content-Type", "application/json", "X-Gitea-Event", "push", "X-Gitea-Event-Type", "push",
            "X-Gitea-Delivery", "0c7dcd3e-6c4b-4bcb-a0a1-3b0f1b7a9e11", "X-Gitea-Signature", sign(HOOK_SECRET, body),
            "X-Hub-Signature-256", "sha256=" + sign(HOOK_SECRET, body));
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(30)).until(() -> !deliveries().isEmpty());
        assertThat(deliveries()).hasSize(1);
        FakeGitea.Seen relayed = deliveries().get(0);
        assertThat(relayed.path()).isEqualTo("/services/webhooks/gitea/");
        assertThat(relayed.body()).isEqualTo(body);
        assertThat(relayed.header("X-Atlas-Vcs")).isEqualTo("gitea");
        assertThat(relayed.header("X-Atlas-App-Id")).isEqualTo("gt-main");
        assertThat(relayed.header("X-Gitea-Event")).isEqualTo("push");
        assertThat(relayed.header("webhook-id")).contains("0c7dcd3e");
        assertThat(relayed.header("X-Gitea-Signature")).isNull();
        assertThat(relayed.header("X-Hub-Signature-256")).isNull();
    }

    private List<FakeGitea.Seen> deliveries() {
        return cloudSeen.stream().filter(s -> s.path().startsWith("/services/webhooks/")).toList();
    }

    /** A bare repository acme/api.git with one commit, served by {@link GitHttpServer}; returns its head. */
    private static String seedRepository(Path dir) throws Exception {
        Path repos = Files.createDirectories(dir.resolve("repos/acme"));
        git(repos, "init", "--bare", "api.git");
        Path seed = Files.createDirectories(dir.resolve("seed"));
        git(seed, "init");
        Files.writeString(seed.resolve("README.md"), "hello\n");
        git(seed, "add", "README.md");
        git(seed, "commit", "-m", "first");
        git(seed, "push", repos.resolve("api.git").toString(), "HEAD:refs/heads/main");
        return git(seed, "rev-parse", "HEAD");
    }

    private static String git(Path workDir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-c", "user.name=Test", "-c",
            "user.email=test@example.com", "-c", "init.defaultBranch=main"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", args) + "\n" + out).isZero();
        return out.trim();
    }

    /**
     * Clone credentials for jobs: an analysis task of a Gitea app on the local driver fetches its repository through
     * Atlas's git endpoint, which authenticates at the VCS with the app's token as the HTTP password; the analyzer
     * finds the file in its workspace.
     */
    @Test
    void clonesATaskRepositoryThroughAtlasWithTheAppsToken() throws Exception {
        String task = """
            {"type": "analysis", "appId": "gt-git",
             "repository": {"cloneUrl": "%s/acme/api.git", "ref": "main", "sha": "%s"},
             "resultUrl": "http://127.0.0.1:%d/results/gt-task-1",
             "analyzers": [{"name": "probe", "image": "busybox", "command": ["sh", "-c",
               "test -f \\"$ATLAS_WORKSPACE/repo/README.md\\" && echo '{\\"readme\\": true}' > \\"$ATLAS_RESULTS_DIR/probe.json\\""]}]}
            """.formatted(gitServer.url(), head, cloud.getAddress().getPort());
        HttpResponse<String> accepted = Distribution.post(base + "/api/tasks/gt-task-1", task.getBytes(StandardCharsets.UTF_8),
            "Content-Type", "application/json", "Authorization", "Bearer " + Distribution.cloudToken());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(120)).until(() -> !List.of("accepted", "running").contains(taskStatus().path("status")
            .asText()));
        // the clone step and the probe (which needs README.md in the clone) passed; what follows them (the report
        // step) is not the VCS plugin's business
        JsonNode status = taskStatus();
        assertThat(status.path("detail").asText()).as(status.toString()).doesNotContain("clone").doesNotContain("probe");
        assertThat(gitServer.authorizations()).isNotEmpty().allSatisfy(a -> assertThat(new String(
            Base64.getDecoder().decode(a.substring("Basic ".length())), StandardCharsets.UTF_8)).isEqualTo("oauth2:" + TOKEN));
    }

    private JsonNode taskStatus() throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/tasks/gt-task-1"))
            .header("Authorization", "Bearer " + Distribution.cloudToken()).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void proxiesAnAllowedCallWithTheAppsTokenAndFiltersTheAnswer() throws Exception {
        HttpResponse<String> response = proxy("/repos/acme/api/pulls/7");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode pull = JSON.readTree(response.body());
        assertThat(pull.path("number").asInt()).isEqualTo(7);
        assertThat(pull.path("head").path("sha").asText()).isEqualTo("bffeb74224043ba2feb48d137756c8a9331c449a");
        assertThat(response.body()).doesNotContain("diff_url", "jdoe@acme.example", "original_url", "deploy:pw");
        FakeGitea.Seen upstream = giteaSeen.stream().filter(s -> s.path().equals("/api/v1/repos/acme/api/pulls/7")).findFirst()
            .orElseThrow();
        assertThat(upstream.header("Authorization")).isEqualTo("token " + TOKEN);
    }

    @Test
    void deniesCodeBearingCallsWithoutReachingGitea() throws Exception {
        for (String path : List.of("/repos/acme/api/raw/README.md", "/repos/acme/api/pulls/7.diff",
            "/repos/acme/api/contents/src/main.go", "/repos/acme/api/archive/main.zip", "/repos/acme/api/pulls/7%2epatch")) {
            HttpResponse<String> response = proxy(path);
            assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(403);
            assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("policy_denied");
        }
        assertThat(giteaSeen).noneMatch(s -> s.path().contains("/raw/") || s.path().contains(".diff")
            || s.path().contains("/contents") || s.path().contains("/archive") || s.path().toLowerCase().contains("patch"));
    }

    @Test
    void logsAUserInThroughGiteaAndAtlasIdentityProvider() throws Exception {
        HttpResponse<String> authorize = get(base + "/auth/authorize?response_type=code&client_id=asgard&scope=openid%20email"
            + "&state=client-state&app=gt-main&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8), null);
        assertThat(authorize.statusCode()).as(authorize.body()).isEqualTo(302);
        URI toGitea = URI.create(authorize.headers().firstValue("Location").orElseThrow());
        assertThat(toGitea.getPath()).isEqualTo("/login/oauth/authorize");
        Map<String, String> query = FakeGitea.form(toGitea.getRawQuery());
        assertThat(query).containsEntry("client_id", "gt-client").containsEntry("response_type", "code")
            .containsEntry("redirect_uri", base + "/auth/callback/gt-main");

        HttpResponse<String> callback = get(base + "/auth/callback/gt-main?code=" + FakeGitea.CODE + "&state="
            + URLEncoder.encode(query.get("state"), StandardCharsets.UTF_8), cookies(authorize));
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
        Map<String, String> back = FakeGitea.form(URI.create(callback.headers().firstValue("Location").orElseThrow()).getRawQuery());
        assertThat(back).containsEntry("state", "client-state");

        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("asgard:asgard-secret"
                .getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code="
                + URLEncoder.encode(back.get("code"), StandardCharsets.UTF_8) + "&redirect_uri="
                + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        assertThat(token.body()).doesNotContain(USER_TOKEN);

        HttpResponse<String> userinfo = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/userinfo"))
            .header("Authorization", "Bearer " + JSON.readTree(token.body()).path("access_token").asText()).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(userinfo.statusCode()).as(userinfo.body()).isEqualTo(200);
        JsonNode claims = JSON.readTree(userinfo.body());
        assertThat(claims.path("preferred_username").asText()).isEqualTo("jdoe");
        assertThat(claims.path("email").asText()).isEqualTo("jane@acme.example");
        assertThat(claims.path("email_verified").asBoolean()).isTrue();
        assertThat(claims.path("vcs").asText()).isEqualTo("gitea");
        assertThat(claims.path("app").asText()).isEqualTo("gt-main");
    }

    Stream<Arguments> restCases() throws IOException {
        return stream("rest");
    }

    Stream<Arguments> redactionCases() throws IOException {
        return stream("redactions");
    }

    private static Stream<Arguments> stream(String section) throws IOException {
        List<Arguments> out = new java.util.ArrayList<>();
        YAML.readTree(CASES.toFile()).path(section).forEach(c -> out.add(Arguments.of(c.path("name").asText(), c)));
        return out.stream();
    }

    /** Every REST case of the plugin's table over real HTTP: denied ones never reach Gitea, allowed ones do, with the token. */
    @ParameterizedTest(name = "rest: {0}")
    @MethodSource("restCases")
    void decidesTheCaseTableOverHttpAndForwardsOnlyAllowedCalls(String name, JsonNode c) throws Exception {
        String method = c.path("method").asText();
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(URI.create(base + "/vcs/rest" + c.path("path").asText()
                + (c.has("query") ? "?" + c.path("query").asText() : "")));
        } catch (IllegalArgumentException e) {
            return; // a path the HTTP client itself refuses to send cannot reach Atlas either
        }
        builder.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json");
        c.path("accept").forEach(a -> builder.header("Accept", a.asText()));
        c.path("headers").fields().forEachRemaining(h -> builder.header(h.getKey(), h.getValue().asText()));
        builder.header("Authorization", "Bearer " + Distribution.cloudToken()).header("X-App-ID", "gt-main");
        int before = giteaSeen.size();
        HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());

        int expect = c.path("expect").asInt();
        // the replay writes "{}": Gitea refuses that as a CreatePullRequestOption (422), and Atlas passes its answer on
        boolean emptyCreatePull = method.equals("POST") && c.path("path").asText().equals("/repos/acme/api/pulls");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expect == 200 && emptyCreatePull ? 422 : expect);
        if (expect == 200) {
            assertThat(giteaSeen).hasSize(before + 1);
            assertThat(giteaSeen.get(before).header("Authorization")).isEqualTo("token " + TOKEN);
        } else {
            assertThat(giteaSeen).as("a denied request reached Gitea").hasSize(before);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("error").asText()).isEqualTo("policy_denied");
            if (c.has("rule") && !c.path("path").asText().contains("?")) {
                assertThat(body.path("rule").asText()).isEqualTo(c.path("rule").asText());
            }
        }
    }

    @ParameterizedTest(name = "redaction: {0}")
    @MethodSource("redactionCases")
    void filtersAnswersOverHttpByTheRulesAllowList(String name, JsonNode c) throws Exception {
        HttpResponse<String> response = proxy(c.path("path").asText());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree(c.path("expected").asText()));
        assertThat(response.body()).doesNotContain("SECRET-MARKER");
    }

    private HttpResponse<String> proxy(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest" + path))
            .header("Authorization", "Bearer " + Distribution.cloudToken()).header("X-App-ID", "gt-main")
            .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookies(HttpResponse<?> response) {
        return response.headers().allValues("Set-Cookie").stream().map(c -> c.split(";", 2)[0]).collect(Collectors.joining("; "));
    }

    private static String sign(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
