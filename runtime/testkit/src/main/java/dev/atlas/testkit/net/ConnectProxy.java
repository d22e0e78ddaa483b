package dev.atlas.testkit.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP CONNECT proxy on loopback for tests, recording every tunnel it opened ({@code host:port} as asked) and
 * every request it refused. With credentials set it answers {@code 407} to a CONNECT without the right
 * {@code Proxy-Authorization: Basic}. Names ending in {@code .test} resolve to loopback here only, so a test that
 * reaches such a name proves its call went through this proxy.
 */
public final class ConnectProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String expectedAuthorization;
    private final List<String> tunnels = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();

    private ConnectProxy(String username, String password) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.expectedAuthorization = username == null ? null : "Basic " + Base64.getEncoder().encodeToString(
            (username + ":" + password).getBytes(StandardCharsets.UTF_8));
        Thread acceptor = new Thread(this::accept, "test-connect-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy that asks for no credentials. */
    public static ConnectProxy open() throws IOException {
        return new ConnectProxy(null, null);
    }

    /** A proxy that asks for these Basic credentials. */
    public static ConnectProxy withCredentials(String username, String password) throws IOException {
        return new ConnectProxy(username, password);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** The {@code host:port} of every tunnel opened, in order. */
    public List<String> tunnels() {
        return List.copyOf(tunnels);
    }

    /** The request lines refused (407 for missing or wrong credentials, 405 for anything but CONNECT). */
    public List<String> refused() {
        return List.copyOf(refused);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread handler = new Thread(() -> serve(client), "test-connect-proxy-tunnel");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            List<String> head = readHead(in);
            if (head.isEmpty()) {
                return;
            }
            String[] request = head.get(0).split(" ");
            if (request.length < 2 || !request[0].equals("CONNECT")) {
                refused.add(head.get(0));
                reply(out, "405 Method Not Allowed", "");
                return;
            }
            if (expectedAuthorization != null && head.stream().noneMatch(h -> h.toLowerCase(Locale.ROOT)
                .startsWith("proxy-authorization:") && h.substring(h.indexOf(':') + 1).trim()
                .equals(expectedAuthorization))) {
                refused.add(head.get(0));
                reply(out, "407 Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"test\"\r\n");
                return;
            }
            String target = request[1];
            int colon = target.lastIndexOf(':');
            String host = target.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(target.substring(colon + 1));
            InetSocketAddress address = host.endsWith(".test")
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port) : new InetSocketAddress(host, port);
            try (Socket upstream = new Socket()) {
                upstream.connect(address, 5000);
                tunnels.add(target);
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread back = new Thread(() -> pipe(upstream, client), "test-connect-proxy-back");
                back.setDaemon(true);
                back.start();
                pipe(client, upstream);
                back.join(10_000);
            } catch (IOException e) {
                reply(out, "502 Bad Gateway", "");
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }

    private static void reply(OutputStream out, String status, String headers) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: 0\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII).replace("\r", "");
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
                line.reset();
            } else {
                line.write(b);
            }
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
