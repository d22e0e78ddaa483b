package dev.atlas.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A smart-HTTP git server for end-to-end tests: git's own {@code git http-backend} run as a CGI program behind a JDK
 * HTTP server on loopback, serving the bare repositories under a folder (clone, fetch and push).
 */
final class GitHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    private GitHttpServer(HttpServer server, Path root) {
        this.server = server;
        this.root = root;
    }

    static GitHttpServer start(Path root) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        GitHttpServer git = new GitHttpServer(server, root);
        server.createContext("/", git::handle);
        server.start();
        return git;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The {@code Authorization} headers clients sent (the clone token arrives as Basic credentials). */
    List<String> authorizations() {
        return authorizations;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null) {
            // like a real VCS: ask for credentials, so that the client shows which ones it has
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
        }
        authorizations.add(auth);
        dev.atlas.testkit.GitHttpBackend.serve(exchange, root, body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
