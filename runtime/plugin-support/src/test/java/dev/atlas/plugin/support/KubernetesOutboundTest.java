package dev.atlas.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.OutboundSettings;
import dev.atlas.api.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's {@code outbound} settings handed to fabric8, which has trust and proxy settings of its own. */
class KubernetesOutboundTest {
    private static final String CLUSTER_CA = "-----BEGIN CERTIFICATE-----\nCLUSTER\n-----END CERTIFICATE-----\n";
    private static final String BUNDLE = "-----BEGIN CERTIFICATE-----\nCORPORATE\n-----END CERTIFICATE-----\n";

    private static OutboundSettings outbound(String bundle, String proxy) throws Exception {
        return new OutboundSettings(Optional.ofNullable(bundle), SSLContext.getDefault(),
            Optional.ofNullable(proxy).map(URI::create), List.of(".acme.internal", "10.0.0.0/8"),
            Optional.of("atlas"), Optional.of(Secret.of("pw")));
    }

    private static String ca(Config config) {
        return new String(Base64.getDecoder().decode(config.getCaCertData()), StandardCharsets.US_ASCII);
    }

    @Test
    void addsTheBundleToTheServiceAccountsClusterCaAndKeepsBoth(@TempDir Path dir) throws Exception {
        Path caFile = Files.writeString(dir.resolve("ca.crt"), CLUSTER_CA);
        Config base = new ConfigBuilder().withMasterUrl("https://10.96.0.1").withCaCertFile(caFile.toString()).build();
        Config config = KubernetesOutbound.apply(new ConfigBuilder(base), base, outbound(BUNDLE, null)).build();
        assertThat(config.getCaCertFile()).isNull();
        assertThat(ca(config)).contains("CLUSTER", "CORPORATE");
    }

    @Test
    void addsTheBundleToAKubeconfigsInlineCa() throws Exception {
        Config base = new ConfigBuilder().withCaCertData(Base64.getEncoder().encodeToString(
            CLUSTER_CA.getBytes(StandardCharsets.US_ASCII))).build();
        Config config = KubernetesOutbound.apply(new ConfigBuilder(base), base, outbound(BUNDLE, null)).build();
        assertThat(ca(config)).contains("CLUSTER", "CORPORATE");
    }

    @Test
    void usesTheProxyWithItsExceptionsAndCredentials() throws Exception {
        Config base = new ConfigBuilder().withMasterUrl("https://api.k8s.acme.example").build();
        Config config = KubernetesOutbound.apply(new ConfigBuilder(base), base,
            outbound(null, "http://proxy.acme:3128")).build();
        assertThat(config.getHttpsProxy()).isEqualTo("http://proxy.acme:3128");
        assertThat(config.getNoProxy()).containsExactly(".acme.internal", "10.0.0.0/8");
        assertThat(config.getProxyUsername()).isEqualTo("atlas");
        assertThat(config.getProxyPassword()).isEqualTo("pw");
        assertThat(config.getCaCertData()).isNull();
    }

    @Test
    void changesNothingWithoutOutboundSettings() throws Exception {
        Config base = new ConfigBuilder().withMasterUrl("https://api.k8s.acme.example").build();
        Config config = KubernetesOutbound.apply(new ConfigBuilder(base), base, OutboundSettings.direct()).build();
        assertThat(config.getHttpsProxy()).isEqualTo(base.getHttpsProxy());
        assertThat(config.getCaCertData()).isEqualTo(base.getCaCertData());
    }
}
