package dev.atlas.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * An in-process Gitea on a free loopback port that answers only requests shaped as Gitea's API documentation says:
 * the OAuth code exchange (form POST with the client's credentials, the code and the callback), the profile and
 * email list with the user's bearer token, one pull request with the app's {@code token} scheme, creating a pull
 * request on {@code acme/api} ({@code POST /repos/{owner}/{repo}/pulls} with a JSON {@code CreatePullRequestOption}:
 * {@code head}, {@code base}, {@code title}, {@code body}; 201 with the new {@code PullRequest}), and an empty object
 * (or a redaction case's answer) for any other API call the policy let through. Records every request.
 */
final class FakeGitea implements AutoCloseable {
    static final String TOKEN = "gt-service-token-5f1c";
    static final String USER_TOKEN = "gto-user-token-77aa";
    static final String CLIENT_ID = "gt-client";
    static final String CLIENT_SECRET = "gt-client-secret";
    static final String CODE = "gitea-code";
    /** GET /repos/acme/api/pulls/7 (structs.PullRequest, abridged), with fields the policy must drop. */
    static final String PULL = "{\"id\":77,\"number\":7,\"title\":\"Fix the parser\",\"state\":\"open\","
        + "\"diff_url\":\"https://gitea/acme/api/pulls/7.diff\",\"user\":{\"id\":3,\"login\":\"jdoe\",\"email\":\"jdoe@acme.example\"},"
        + "\"head\":{\"ref\":\"fix\",\"sha\":\"bffeb74224043ba2feb48d137756c8a9331c449a\",\"repo\":{\"id\":140,\"full_name\":\"acme/api\","
        + "\"original_url\":\"https://deploy:pw@github.com/acme/api.git\"}}}";

    /** One request a fake received. */
    record Seen(String method, String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                .map(e -> e.getValue().get(0)).orElse(null);
        }
    }

    /** The fields of Gitea's {@code CreatePullRequestOption} (swagger: definitions.CreatePullRequestOption). */
    private static final Set<String> CREATE_PULL_FIELDS = Set.of("assignee", "assignees", "base", "body", "due_date",
        "head", "labels", "milestone", "title");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final JsonNode cases;
    private final String callback;
    private final HttpServer server;

    /**
     * @param cases the plugin's policy case table, whose {@code redactions} answers are served for their paths
     * @param callback Atlas's OAuth callback the code exchange must name
     */
    FakeGitea(JsonNode cases, String callback) throws IOException {
        this.cases = cases;
        this.callback = callback;
        this.server = server(this::handle);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Seen> seen() {
        return seen;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        Seen request = read(exchange);
        seen.add(request);
        String path = request.path();
        switch (path) {
            case "/login/oauth/access_token" -> {
                Map<String, String> form = form(new String(request.body(), StandardCharsets.UTF_8));
                boolean ok = request.method().equals("POST") && "authorization_code".equals(form.get("grant_type"))
                    && CLIENT_ID.equals(form.get("client_id")) && CLIENT_SECRET.equals(form.get("client_secret"))
                    && CODE.equals(form.get("code")) && callback.equals(form.get("redirect_uri"));
                reply(exchange, ok ? 200 : 400, ok ? "{\"access_token\":\"" + USER_TOKEN + "\",\"token_type\":\"bearer\","
                    + "\"expires_in\":3600,\"refresh_token\":\"r\"}" : "{\"error\":\"invalid_grant\"}");
            }
            case "/api/v1/user" -> reply(exchange, userToken(request) ? 200 : 401, "{\"id\":3,\"login\":\"jdoe\","
                + "\"full_name\":\"Jane Doe\",\"email\":\"jdoe@noreply.gitea.example\"}");
            case "/api/v1/user/emails" -> reply(exchange, userToken(request) ? 200 : 401,
                "[{\"email\":\"jane@acme.example\",\"verified\":true,\"primary\":true,\"user_id\":3,\"username\":\"jdoe\"}]");
            case "/api/v1/repos/acme/api/pulls/7" -> {
                boolean ok = request.method().equals("GET") && ("token " + TOKEN).equals(request.header("Authorization"))
                    && request.header("X-App-ID") == null && request.header("Cookie") == null;
                reply(exchange, ok ? 200 : 401, ok ? PULL : "{\"message\":\"token is required\"}");
            }
            case "/api/v1/repos/acme/api/pulls" -> {
                if (request.method().equals("POST")) {
                    createPull(exchange, request);
                } else {
                    reply(exchange, 200, "[]");
                }
            }
            default -> {
                boolean api = path.startsWith("/api/v1/");
                reply(exchange, api ? 200 : 404, api ? redactionAnswer(path) : "{\"message\":\"Not Found\"}");
            }
        }
    }

    /** {@code POST /repos/acme/api/pulls}: 201 with the new pull request #8 when the request is shaped as documented. */
    private void createPull(HttpExchange exchange, Seen request) throws IOException {
        JsonNode option;
        try {
            option = JSON.readTree(request.body());
        } catch (IOException e) {
            option = null;
        }
        String contentType = request.header("Content-Type");
        boolean ok = ("token " + TOKEN).equals(request.header("Authorization")) && request.header("X-App-ID") == null
            && contentType != null && contentType.startsWith("application/json") && option != null && option.isObject()
            && option.path("head").isTextual() && !option.path("head").asText().contains(":")
            && option.path("base").isTextual() && option.path("title").isTextual()
            && (!option.has("body") || option.path("body").isTextual())
            && CREATE_PULL_FIELDS.containsAll(JSON.convertValue(option, Map.class).keySet());
        if (!ok) {
            reply(exchange, 422, "{\"message\":\"invalid CreatePullRequestOption\"}");
            return;
        }
        reply(exchange, 201, JSON.createObjectNode().put("id", 78).put("number", 8)
            .put("html_url", url() + "/acme/api/pulls/8").put("title", option.path("title").asText()).put("state", "open")
            .set("head", JSON.createObjectNode().put("ref", option.path("head").asText())).toString());
    }

    private String redactionAnswer(String path) {
        for (JsonNode c : cases.path("redactions")) {
            if (("/api/v1" + c.path("path").asText()).equals(path)) {
                return c.path("response").asText();
            }
        }
        return "{}";
    }

    private static boolean userToken(Seen request) {
        return ("Bearer " + USER_TOKEN).equals(request.header("Authorization"));
    }

    /** A recording sink (the cloud's webhook endpoint): every request into {@code into}, answered 200. */
    static HttpServer recorder(List<Seen> into) throws IOException {
        return server(exchange -> {
            into.add(read(exchange));
            reply(exchange, 200, "{}");
        });
    }

    /** A form or query string, decoded. */
    static Map<String, String> form(String text) {
        return Arrays.stream(text.split("&")).map(p -> p.split("=", 2)).collect(Collectors.toMap(
            p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
            p -> URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8), (a, b) -> a));
    }

    private static HttpServer server(HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", handler);
        server.start();
        return server;
    }

    private static Seen read(HttpExchange exchange) {
        try {
            return new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                Map.copyOf(exchange.getRequestHeaders()), exchange.getRequestBody().readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json;charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
