package dev.atlas.patcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

/**
 * Atlas's git endpoint as a job sees it, for tests: git smart HTTP ({@code info/refs}, {@code git-upload-pack},
 * {@code git-receive-pack}) for one bare repository at {@code /jobs/<task>/git}, behind HTTP Basic auth whose
 * password must be the task's git token. Records every {@code Authorization} header it was sent.
 */
final class SmartHttpGitServer implements AutoCloseable {
    private final HttpServer server;
    private final Repository repository;
    private final String token;
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();

    SmartHttpGitServer(RemoteRepo remote, String taskId, String token) throws IOException {
        this.repository = new FileRepository(remote.dir().toFile());
        this.token = token;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jobs/" + taskId + "/git/", this::handle);
        server.start();
    }

    String url(String taskId) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jobs/" + taskId + "/git";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            requests.add(exchange.getRequestMethod() + " " + path.substring(path.indexOf("/git/") + 4)
                + (query == null ? "" : "?" + query));
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authorizations.add(auth);
            }
            if (!authorized(auth)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"atlas\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (path.endsWith("/info/refs")) {
                advertise(exchange, query == null ? "" : query.replace("service=", ""));
            } else if (path.endsWith("/git-upload-pack")) {
                respond(exchange, "application/x-git-upload-pack-result");
                UploadPack upload = new UploadPack(repository);
                upload.setBiDirectionalPipe(false);
                upload.upload(body(exchange), exchange.getResponseBody(), null);
            } else if (path.endsWith("/git-receive-pack")) {
                respond(exchange, "application/x-git-receive-pack-result");
                ReceivePack receive = new ReceivePack(repository);
                receive.setBiDirectionalPipe(false);
                receive.receive(body(exchange), exchange.getResponseBody(), null);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return false;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        return decoded.endsWith(":" + token);
    }

    private void advertise(HttpExchange exchange, String service) throws IOException {
        respond(exchange, "application/x-" + service + "-advertisement");
        OutputStream out = exchange.getResponseBody();
        PacketLineOut packets = new PacketLineOut(out);
        packets.writeString("# service=" + service + "\n");
        packets.end();
        RefAdvertiser.PacketLineOutRefAdvertiser advertiser = new RefAdvertiser.PacketLineOutRefAdvertiser(packets);
        if (service.equals("git-upload-pack")) {
            UploadPack upload = new UploadPack(repository);
            upload.setBiDirectionalPipe(false);
            upload.sendAdvertisedRefs(advertiser);
        } else {
            ReceivePack receive = new ReceivePack(repository);
            receive.setBiDirectionalPipe(false);
            receive.sendAdvertisedRefs(advertiser);
        }
        out.flush();
    }

    private static void respond(HttpExchange exchange, String type) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
    }

    private static InputStream body(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        return "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding")) ? new GZIPInputStream(in) : in;
    }

    @Override
    public void close() {
        server.stop(0);
        repository.close();
    }
}
