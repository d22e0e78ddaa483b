package dev.atlas.core.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The in-process stand-in for the cloud that {@code atlas demo} sends to: it answers 200 to webhooks and task
 * results on loopback and keeps what it received, so the demo can print it.
 */
public final class SampleCloud implements AutoCloseable {

    /** One request the sample cloud received. */
    public record Received(String method, String path, Map<String, List<String>> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private SampleCloud(HttpServer server) {
        this.server = server;
    }

    /** Starts on a free loopback port. */
    public static SampleCloud start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        SampleCloud cloud = new SampleCloud(server);
        server.createContext("/", cloud::handle);
        server.start();
        return cloud;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT),
            new ArrayList<>(v)));
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers, body));
        byte[] answer = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        if (exchange.getRequestURI().getRawPath().endsWith("/access_tokens")) {
            // stands in for GitHub minting an installation token, so the demo's task gets a clone credential
            answer = ("{\"token\":\"demo-installation-token\",\"expires_at\":\""
                + java.time.Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** What has been received so far, oldest first; taken off the queue. */
    public BlockingQueue<Received> received() {
        return received;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
