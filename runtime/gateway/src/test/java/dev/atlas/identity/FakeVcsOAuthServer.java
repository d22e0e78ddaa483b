package dev.atlas.identity;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A VCS's OAuth endpoints on loopback, shaped like GitHub's: {@code GET /login/oauth/authorize} signs the configured
 * user in at once and sends the browser back with a code, {@code POST /login/oauth/access_token} trades the code for a
 * token (once), {@code GET /api/user} answers the profile for the token. {@link #failTokenCalls} makes the token call
 * answer an error status.
 */
final class FakeVcsOAuthServer implements AutoCloseable {
    /** A VCS account. */
    record Account(long id, String login, String name, String email) {
    }

    private final HttpServer server;
    private final Map<String, Account> codes = new ConcurrentHashMap<>();
    private final Map<String, Account> tokens = new ConcurrentHashMap<>();
    private volatile Account account = new Account(42, "alice", "Alice Liddell", "alice@example.com");
    private volatile int tokenFailure;
    private volatile Map<String, String> lastAuthorize = Map.of();

    FakeVcsOAuthServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/login/oauth/authorize", this::authorize);
        server.createContext("/login/oauth/access_token", this::token);
        server.createContext("/api/user", this::user);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void signInAs(Account next) {
        account = next;
    }

    /** Status the token call answers from now on (0: succeed). */
    void failTokenCalls(int status) {
        tokenFailure = status;
    }

    /** The query of the last authorize request Atlas sent a browser to. */
    Map<String, String> lastAuthorize() {
        return lastAuthorize;
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = parse(exchange.getRequestURI().getRawQuery());
        lastAuthorize = query;
        String code = UUID.randomUUID().toString();
        codes.put(code, account);
        String location = query.get("redirect_uri") + "?code=" + code + "&state="
            + URLEncoder.encode(query.get("state"), StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Location", location);
        send(exchange, 302, "");
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (tokenFailure != 0) {
            send(exchange, tokenFailure, "{\"error\":\"server_error\"}");
            return;
        }
        Account owner = codes.remove(String.valueOf(form.get("code")));
        if (owner == null || !"vcs-client".equals(form.get("client_id"))
            || !"vcs-secret".equals(form.get("client_secret"))) {
            send(exchange, 400, "{\"error\":\"bad_verification_code\"}");
            return;
        }
        String token = UUID.randomUUID().toString();
        tokens.put(token, owner);
        send(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\"}");
    }

    private void user(HttpExchange exchange) throws IOException {
        String header = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
        Account owner = header.startsWith("Bearer ") ? tokens.get(header.substring(7)) : null;
        if (owner == null) {
            send(exchange, 401, "{\"message\":\"Bad credentials\"}");
            return;
        }
        send(exchange, 200, "{\"id\":" + owner.id() + ",\"login\":\"" + owner.login() + "\",\"name\":\"" + owner.name()
            + "\",\"email\":\"" + owner.email() + "\"}");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    static Map<String, String> parse(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                values.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
