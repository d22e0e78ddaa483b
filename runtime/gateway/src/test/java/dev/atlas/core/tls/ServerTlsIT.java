package dev.atlas.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.atlas.core.fakes.RunningAtlas;
import dev.atlas.core.fakes.TestConfigs;
import dev.atlas.core.outbound.BundleTrust;
import dev.atlas.core.outbound.PemCertificates;
import dev.atlas.testkit.net.TestPki;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.tls}: Atlas serves HTTPS from PEM files and presents a renewed certificate without a restart. */
class ServerTlsIT {
    private final TestPki pki = TestPki.create("Atlas Listener CA");

    @TempDir
    Path dir;

    private SSLContext trusting() throws Exception {
        return BundleTrust.context(BundleTrust.withBundle(PemCertificates.parse(pki.caPem())));
    }

    private X509Certificate presented(int port, String... protocols) throws Exception {
        try (SSLSocket socket = (SSLSocket) trusting().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
            port)) {
            if (protocols.length > 0) {
                socket.setEnabledProtocols(protocols);
            }
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /** Writes the pair the way cert-manager's volume does: new files renamed over the old ones. */
    private void install(TestPki.Issued issued) throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt.new"), issued.certificatePem());
        Path key = Files.writeString(dir.resolve("tls.key.new"), issued.keyPem());
        Files.move(key, dir.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(cert, dir.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void servesHttpsAndPresentsARenewedCertificateAtTheNextHandshake() throws Exception {
        TestPki.Issued first = pki.issue("first", "localhost", "127.0.0.1");
        install(first);
        int port = TestConfigs.freePort();
        String yaml = TestConfigs.valid(port, "https://asgard.example", "").replace("  maxBodyBytes: 1024\n",
            "  maxBodyBytes: 1024\n  tls: {certificate: ${file:tls.crt}, privateKey: ${file:tls.key}}\n");
        try (RunningAtlas atlas = RunningAtlas.start(TestConfigs.write(dir, yaml), Map.of())) {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting()).build();
            HttpResponse<String> live = client.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + port + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(presented(port)).isEqualTo(first.certificate());

            TestPki.Issued renewed = pki.issue("renewed", "localhost", "127.0.0.1");
            install(renewed);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(presented(port)).isEqualTo(renewed.certificate()));
            assertThat(presented(port, "TLSv1.2")).isEqualTo(renewed.certificate());
        }
    }

    @Test
    void refusesTlsOlderThanOnePointTwoAndPlainHttp() throws Exception {
        install(pki.issue("only", "localhost", "127.0.0.1"));
        int port = TestConfigs.freePort();
        String yaml = TestConfigs.valid(port, "https://asgard.example", "").replace("  maxBodyBytes: 1024\n",
            "  maxBodyBytes: 1024\n  tls: {certificate: ${file:tls.crt}, privateKey: ${file:tls.key}}\n");
        try (RunningAtlas atlas = RunningAtlas.start(TestConfigs.write(dir, yaml), Map.of())) {
            assertThatThrownBy(() -> presented(port, "TLSv1.1")).isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(() -> atlas.get("/health/live")).isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void everyEventLoopsServerOnTheHttpsPortRefusesPlainHttpAndOldTlsAndPresentsTheRenewedCertificate()
        throws Exception {
        TestPki.Issued first = pki.issue("first", "localhost", "127.0.0.1");
        install(first);
        int port = TestConfigs.freePort();
        String yaml = TestConfigs.valid(port, "https://asgard.example", "").replace("  maxBodyBytes: 1024\n",
            "  maxBodyBytes: 1024\n  tls: {certificate: ${file:tls.crt}, privateKey: ${file:tls.key}}\n");
        // new connections are dealt out to the event loops in turn (Camel's server and one more per loop): a few
        // rounds of each attempt reach every server on the port
        int connections = 4 * (Runtime.getRuntime().availableProcessors() + 1);
        try (RunningAtlas atlas = RunningAtlas.start(TestConfigs.write(dir, yaml), Map.of())) {
            TestPki.Issued renewed = pki.issue("renewed", "localhost", "127.0.0.1");
            install(renewed);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(presented(port)).isEqualTo(renewed.certificate()));
            for (int i = 0; i < connections; i++) {
                assertThat(presented(port, "TLSv1.2")).as("connection %d", i).isEqualTo(renewed.certificate());
                assertThatThrownBy(() -> presented(port, "TLSv1.1")).as("TLS 1.1, connection %d", i)
                    .isInstanceOf(java.io.IOException.class);
                assertThat(plainAnswer(port)).as("plain HTTP, connection %d", i).doesNotContain("HTTP/1.");
            }
        }
    }

    /** What the port answers to a plain-text HTTP request on a new connection (nothing, or TLS alert bytes). */
    private static String plainAnswer(int port) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] answer = socket.getInputStream().readNBytes(64);
            return new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException e) {
            return ""; // closed on us: not served
        }
    }

    @Test
    void keepsThePreviousCertificateWhileARenewalIsHalfWritten() throws Exception {
        TestPki.Issued first = pki.issue("first", "localhost", "127.0.0.1");
        install(first);
        ReloadingKeyManager keys = new ReloadingKeyManager(first.certificatePem(), first.keyPem(),
            java.util.Optional.of(dir.resolve("tls.crt")), java.util.Optional.of(dir.resolve("tls.key")));
        TestPki.Issued next = pki.issue("next", "localhost");
        // the certificate arrived, its key not yet: the pair does not match
        Files.writeString(dir.resolve("tls.crt"), next.certificatePem());
        Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\ntruncated");
        keys.refresh();
        assertThat(keys.certificate()).isEqualTo(first.certificate());
        Files.writeString(dir.resolve("tls.key"), next.keyPem());
        keys.refresh();
        assertThat(keys.certificate()).isEqualTo(next.certificate());
    }
}
