package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recipes of {@code docs/routes.md}, exactly as written there, in a {@code routes.dir} of {@code bin/atlas run}
 * with the GitHub plugin; and the refusals of the route checker through {@code bin/atlas check} and {@code run}.
 */
class RouteRecipesIT {
    private static final Path DOC = Path.of("docs/routes.md");
    private static final Pattern RECIPE = Pattern.compile("<!-- recipe: ([a-z-]+) -->\\n```yaml\\n(.*?)```",
        Pattern.DOTALL);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static Map<String, String> recipes() throws Exception {
        Map<String, String> recipes = new LinkedHashMap<>();
        Matcher m = RECIPE.matcher(Files.readString(DOC));
        while (m.find()) {
            recipes.put(m.group(1), m.group(2));
        }
        assertThat(recipes).containsOnlyKeys("webhooks", "delivery", "proxy", "endpoint");
        return recipes;
    }

    @Test
    void runsEveryDocumentedRecipeThroughTheLauncher() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path decisions = dir.resolve("decisions");
        for (Map.Entry<String, String> recipe : recipes().entrySet()) {
            Files.writeString(routes.resolve(recipe.getKey() + ".camel.yaml"),
                recipe.getValue().replace("/var/lib/atlas/decisions", decisions.toString()));
        }
        List<Map<String, List<String>>> delivered = new CopyOnWriteArrayList<>();
        HttpServer cloud = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cloud.createContext("/services/webhooks/github/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            delivered.add(Map.copyOf(exchange.getRequestHeaders()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cloud.start();
        int port = Distribution.freePort();
        Path config = Distribution.githubConfig(dir, port, "http://127.0.0.1:" + cloud.getAddress().getPort(),
            "gh-hook-secret");
        Files.writeString(config, Files.readString(config) + "routes:\n  dir: routes\n");
        String base = "http://127.0.0.1:" + port;
        Process atlas = Distribution.start(Map.of(), "run", "--config", config.toString());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Distribution.status(base + "/health/ready") == 200);

            // webhooks: mounted at /hooks, ping dropped after verification, a bad signature still refused
            assertThat(hook(base + "/hooks/github/gh-main", "ping", "d-ping", "gh-hook-secret").statusCode())
                .isEqualTo(204);
            assertThat(hook(base + "/hooks/github/gh-main", "ping", "d-bad", "wrong").statusCode()).isEqualTo(401);
            assertThat(hook(base + "/webhook/github/gh-main", "push", "d-old", "gh-hook-secret").statusCode())
                .isEqualTo(404);
            HttpResponse<String> push = hook(base + "/hooks/github/gh-main", "push", "d-push", "gh-hook-secret");
            assertThat(push.statusCode()).as(push.body()).isEqualTo(202);
            // delivery: the admin's X-Acme-Env beside the signature; the ping never went out
            await().atMost(Duration.ofSeconds(30)).until(() -> !delivered.isEmpty());
            assertThat(delivered).singleElement().satisfies(h -> {
                assertThat(h.get("X-acme-env")).containsExactly("production");
                assertThat(h.get("Webhook-id")).containsExactly("d-push");
                assertThat(h).containsKey("Webhook-signature");
            });

            // proxy: one repository denied before proxyForward, every decision teed to a file
            HttpResponse<String> secret = proxy(base, "/repos/acme/secret/pulls/1");
            assertThat(secret.statusCode()).isEqualTo(403);
            assertThat(secret.body()).contains("acme/secret stays private");
            HttpResponse<String> other = proxy(base, "/repos/acme/api/pulls/1");
            assertThat(other.body()).doesNotContain("stays private");
            HttpResponse<String> contents = proxy(base, "/repos/acme/api/contents/README.md");
            assertThat(contents.statusCode()).isEqualTo(403);
            assertThat(contents.body()).contains("policy_denied");
            Path log = decisions.resolve("decisions.log");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readAllLines(log).size() == 3);
            assertThat(Files.readAllLines(log))
                .anySatisfy(l -> assertThat(l).startsWith("gh-main GET /repos/acme/secret/pulls/1 allow pull-get"))
                .anySatisfy(l -> assertThat(l).startsWith("gh-main GET /repos/acme/api/pulls/1 allow pull-get"))
                .anySatisfy(l -> assertThat(l).startsWith("gh-main GET /repos/acme/api/contents/README.md deny"));

            // an added endpoint
            HttpResponse<String> hello = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/acme/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(hello.statusCode()).isEqualTo(200);
            assertThat(hello.body()).isEqualTo("hello from acme");
            HttpResponse<String> size = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/acme/size"))
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(size.statusCode()).isEqualTo(200);
            assertThat(size.body()).isEqualTo("5 characters");
        } finally {
            atlas.destroy();
            atlas.waitFor(30, TimeUnit.SECONDS);
            cloud.stop(0);
        }
    }

    @Test
    void checkAndRunRefuseUnguardedRoutesUnknownStepsAndBrokenYamlListingEveryProblem() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("a-webhooks.camel.yaml"), route("webhook-ingress",
            "platform-http:/webhook/{vcs}/{appId}", "webhookApp", "webhookSpool"));
        Files.writeString(routes.resolve("b-proxy.camel.yaml"), route("vcs-proxy-graphql", "platform-http:/vcs/graphql",
            "proxyAuthenticate", "proxyApp", "proxyCredentials", "proxyForward", "proxyRedact"));
        Files.writeString(routes.resolve("c-tasks.camel.yaml"), route("tasks-api", "platform-http:/api/tasks/{taskId}",
            "taskDispatch"));
        Files.writeString(routes.resolve("d-typo.camel.yaml"), route("acme-audit", "platform-http:/acme/audit",
            "auditEverything"));
        Files.writeString(routes.resolve("e-broken.camel.yaml"), "- route:\n    id: broken\n    from: [oops\n");
        Path config = Distribution.githubConfig(dir, Distribution.freePort(), "http://127.0.0.1:9", "s");
        Files.writeString(config, Files.readString(config) + "routes:\n  dir: routes\n");

        for (String command : List.of("check", "run")) {
            Distribution.Result result = Distribution.run(Map.of(), command, "--config", config.toString());
            assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
            assertThat(result.output()).as(command).contains(
                "a-webhooks.camel.yaml: route webhook-ingress: webhookSpool is reached without webhookVerify",
                "b-proxy.camel.yaml: route vcs-proxy-graphql: proxyForward is reached without proxyPolicy",
                "c-tasks.camel.yaml: route tasks-api: taskDispatch is reached without taskAuthenticate",
                "d-typo.camel.yaml: route acme-audit: step ref auditEverything names no known step or bean",
                "e-broken.camel.yaml: YAML syntax error at line 3, column 16");
        }
    }

    private static String route(String id, String from, String... refs) {
        StringBuilder out = new StringBuilder("- route:\n    id: " + id + "\n    from:\n      uri: " + from
            + "\n      steps:\n");
        for (String ref : refs) {
            out.append("        - process: { ref: ").append(ref).append(" }\n");
        }
        return out.toString();
    }

    private static HttpResponse<String> hook(String url, String event, String delivery, String secret)
        throws Exception {
        byte[] body = ("{\"zen\":\"" + delivery + "\",\"hook_id\":1}").getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Distribution.post(url, body, "Content-Type", "application/json", "X-GitHub-Event", event,
            "X-GitHub-Delivery", delivery, "X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)));
    }

    private static HttpResponse<String> proxy(String base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/vcs/rest" + path))
            .header("Authorization", "Bearer " + Distribution.cloudToken()).header("X-App-ID", "gh-main")
            .header("Accept", "application/vnd.github+json").GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
