package dev.atlas.core.fakes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process stand-in for the cloud on a loopback port: records every request and answers with the statuses
 * queued by the test (200 once the queue is empty).
 */
public final class FakeCloud implements AutoCloseable {

    /** One request as received. */
    public record Request(String method, String path, Map<String, List<String>> headers, byte[] body, int answered) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Integer> statuses = new ConcurrentLinkedDeque<>();

    private FakeCloud(HttpServer server) {
        this.server = server;
    }

    public static FakeCloud start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            FakeCloud cloud = new FakeCloud(server);
            server.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                Integer queued = cloud.statuses.poll();
                int status = queued == null ? 200 : queued;
                Map<String, List<String>> headers = new LinkedHashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), new ArrayList<>(v)));
                cloud.requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers,
                    body, status));
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
            return cloud;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next answers, in order. */
    public void answer(int... next) {
        for (int status : next) {
            statuses.add(status);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Request> requests() {
        return requests;
    }

    public void clear() {
        requests.clear();
        statuses.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
