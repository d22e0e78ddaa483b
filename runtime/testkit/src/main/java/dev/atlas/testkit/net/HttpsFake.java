package dev.atlas.testkit.net;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTPS server on loopback answering fixed JSON per path ({@code 404} otherwise), recording each request as
 * {@code "METHOD /path"}. Its certificate comes from a {@link TestPki}, so only clients trusting that CA connect.
 */
public final class HttpsFake implements AutoCloseable {
    private final HttpsServer server;
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private HttpsFake(TestPki.Issued certificate) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a fake presenting {@code certificate}. */
    public static HttpsFake start(TestPki.Issued certificate) {
        try {
            return new HttpsFake(certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers {@code path} (any method; or one method, given as {@code "POST /path"}) with 200 and {@code json}. */
    public HttpsFake answer(String path, String json) {
        answers.put(path, json);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Every request so far as {@code "METHOD /path"}. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        requests.add(exchange.getRequestMethod() + " " + path);
        String answer = answers.get(exchange.getRequestMethod() + " " + path);
        answer = answer != null ? answer : answers.get(path);
        byte[] body = (answer == null ? "{\"message\":\"Not Found\"}" : answer).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer == null ? 404 : 200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
