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
