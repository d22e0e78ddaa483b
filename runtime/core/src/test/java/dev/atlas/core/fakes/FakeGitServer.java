package dev.atlas.core.fakes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake VCS's git hosting: git's own {@code git http-backend} run as a CGI program behind a JDK HTTP server on
 * loopback, serving the bare repositories under a folder (clone, fetch and push). Like a real VCS it asks for
 * credentials (401 with a Basic challenge) and accepts only the one it was given; it records every credential and
 * request it saw.
 */
public final class FakeGitServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final String expectedAuthorization;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private FakeGitServer(HttpServer server, Path root, String expectedAuthorization) {
        this.server = server;
        this.root = root;
        this.expectedAuthorization = expectedAuthorization;
    }

    /** Serves the bare repositories under {@code root} to clients that send Basic {@code user:password}. */
    public static FakeGitServer start(Path root, String user, String password) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
            .getBytes(StandardCharsets.UTF_8));
        FakeGitServer git = new FakeGitServer(server, root, basic);
        server.createContext("/", git::handle);
        server.start();
        return git;
    }

    /**
     * The same over HTTPS with {@code tls} (a server context from a test CA), reached as {@code https://<host>:port}
     * for whatever host name the caller uses (through a proxy that resolves it).
     */
    public static FakeGitServer startHttps(Path root, String user, String password, javax.net.ssl.SSLContext tls)
        throws IOException {
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
            .getBytes(StandardCharsets.UTF_8));
        FakeGitServer git = new FakeGitServer(server, root, basic);
        server.createContext("/", git::handle);
        server.start();
        return git;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return (server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http") + "://127.0.0.1:"
            + server.getAddress().getPort();
    }

    /** The {@code Authorization} headers clients sent. */
    public List<String> authorizations() {
        return authorizations;
    }

    /** Every request as {@code METHOD path[?query]}, authenticated or not. */
    public List<String> requests() {
        return requests;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
            + (query == null ? "" : "?" + query));
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            authorizations.add(auth);
        }
        if (!expectedAuthorization.equals(auth)) {
            // like a real VCS: ask for credentials, so that the client shows which ones it has
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
        }
        dev.atlas.testkit.GitHttpBackend.serve(exchange, root, body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
