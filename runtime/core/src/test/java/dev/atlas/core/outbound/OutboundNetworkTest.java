package dev.atlas.core.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atlas.api.Secret;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.testkit.net.ConnectProxy;
import dev.atlas.testkit.net.HttpsFake;
import dev.atlas.testkit.net.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The outbound set-up against an HTTPS fake signed by a test CA and a CONNECT proxy that records its tunnels. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboundNetworkTest {
    private final TestPki pki = TestPki.create("Acme Test Root");
    private HttpsFake vcs;

    @BeforeAll
    void start() {
        vcs = HttpsFake.start(pki.issue("vcs", "ghes.acme.test", "localhost", "127.0.0.1"))
            .answer("/api/v3/meta", "{\"ok\":true}");
    }

    @AfterAll
    void stop() {
        vcs.close();
    }

    private static AtlasConfig.Outbound outbound(String bundle, AtlasConfig.Proxy proxy) {
        return new AtlasConfig.Outbound(Optional.ofNullable(bundle), Optional.ofNullable(proxy));
    }

    private static AtlasConfig.Proxy proxy(ConnectProxy proxy, List<String> noProxy, String user, String password) {
        return new AtlasConfig.Proxy(URI.create(proxy.url()), noProxy, Optional.ofNullable(user),
            Optional.ofNullable(password).map(Secret::of));
    }

    private static HttpResponse<String> get(OutboundNetwork network, String url) throws Exception {
        return network.httpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** The status, or -1 when the client gave up with an exception (the JDK does either after a refused 407). */
    private static int statusOrFailure(OutboundNetwork network, String url) throws Exception {
        try {
            return get(network, url).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void trustsAServerSignedByTheBundleAndRefusesItWithoutTheBundle() throws Exception {
        String url = "https://127.0.0.1:" + vcs.port() + "/api/v3/meta";
        assertThatThrownBy(() -> get(OutboundNetwork.direct(), url)).isInstanceOf(SSLHandshakeException.class);
        assertThat(get(OutboundNetwork.of(outbound(pki.caPem(), null)), url).statusCode()).isEqualTo(200);
    }

    @Test
    void stillTrustsTheJvmDefaultCasBesideTheBundle() throws Exception {
        OutboundNetwork network = OutboundNetwork.of(outbound(pki.caPem(), null));
        assertThat(network.trustManager().getAcceptedIssuers())
            .hasSize(BundleTrust.jvmDefaults().getAcceptedIssuers().length + 1)
            .contains(pki.caCertificate());
    }

    @Test
    void sendsCallsThroughTheProxyAndNoProxyHostsAround() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.open()) {
            OutboundNetwork network = OutboundNetwork.of(outbound(pki.caPem(),
                proxy(proxy, List.of(".internal.example", "127.0.0.0/8"), null, null)));
            // ghes.acme.test resolves only inside the proxy: a 200 proves the call went through it
            assertThat(get(network, "https://ghes.acme.test:" + vcs.port() + "/api/v3/meta").statusCode())
                .isEqualTo(200);
            assertThat(get(network, "https://127.0.0.1:" + vcs.port() + "/api/v3/meta").statusCode()).isEqualTo(200);
            assertThat(proxy.tunnels()).containsExactly("ghes.acme.test:" + vcs.port());
        }
    }

    @Test
    void answersTheProxysChallengeWithTheConfiguredCredentialsOnly() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.withCredentials("atlas", "s3cret")) {
            String url = "https://ghes.acme.test:" + vcs.port() + "/api/v3/meta";
            OutboundNetwork right = OutboundNetwork.of(outbound(pki.caPem(), proxy(proxy, List.of(), "atlas", "s3cret")));
            assertThat(System.getProperty(OutboundNetwork.TUNNELING_DISABLED_SCHEMES)).isEmpty();
            assertThat(get(right, url).statusCode()).isEqualTo(200);
            assertThat(proxy.tunnels()).hasSize(1);

            OutboundNetwork none = OutboundNetwork.of(outbound(pki.caPem(), proxy(proxy, List.of(), null, null)));
            assertThat(statusOrFailure(none, url)).isIn(407, -1);
            OutboundNetwork wrong = OutboundNetwork.of(outbound(pki.caPem(), proxy(proxy, List.of(), "atlas", "guess")));
            assertThat(statusOrFailure(wrong, url)).isIn(407, -1);
            assertThat(proxy.tunnels()).hasSize(1);
            assertThat(proxy.refused()).isNotEmpty();
        }
    }

    @Test
    void neverHandsTheProxyCredentialsToAServerAskingForThem() {
        ProxyCredentials credentials = new ProxyCredentials(
            java.net.InetSocketAddress.createUnresolved("proxy.acme", 3128), "atlas", Secret.of("s3cret"));
        assertThat(java.net.Authenticator.requestPasswordAuthentication(credentials, "ghes.acme", null, 443, "https",
            "realm", "Basic", null, java.net.Authenticator.RequestorType.SERVER)).isNull();
        assertThat(java.net.Authenticator.requestPasswordAuthentication(credentials, "other.proxy", null, 3128,
            "http", "realm", "Basic", null, java.net.Authenticator.RequestorType.PROXY)).isNull();
        assertThat(java.net.Authenticator.requestPasswordAuthentication(credentials, "proxy.acme", null, 3128,
            "http", "realm", "Basic", null, java.net.Authenticator.RequestorType.PROXY).getUserName())
            .isEqualTo("atlas");
        assertThat(credentials.toString()).doesNotContain("s3cret");
    }

    @Test
    void gitConnectionsTrustTheBundleAndGoThroughTheProxy() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.open()) {
            URL url = new URL("https://ghes.acme.test:" + vcs.port() + "/api/v3/meta");
            GitConnections withBundle = OutboundNetwork.of(outbound(pki.caPem(), proxy(proxy, List.of(), null, null)))
                .gitConnections();
            HttpConnection connection = withBundle.create(url, java.net.Proxy.NO_PROXY);
            assertThat(connection.getResponseCode()).isEqualTo(200);
            assertThat(proxy.tunnels()).containsExactly("ghes.acme.test:" + vcs.port());

            GitConnections withoutBundle = OutboundNetwork.of(outbound(null, proxy(proxy, List.of(), null, null)))
                .gitConnections();
            assertThatThrownBy(() -> withoutBundle.create(url).getResponseCode()).isInstanceOf(
                SSLHandshakeException.class);
        }
    }
}
