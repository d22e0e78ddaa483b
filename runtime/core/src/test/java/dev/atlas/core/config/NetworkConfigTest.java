package dev.atlas.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.core.boot.Assembly;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.fakes.TestConfigs;
import dev.atlas.testkit.net.TestPki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code outbound} and {@code server.tls} as {@code atlas check} sees them: each problem at its key. */
class NetworkConfigTest {
    private static final TestPki PKI = TestPki.create("Check CA");
    private static final TestPki.Issued SERVER = PKI.issue("server", "atlas.acme.example");
    private static final TestPki.Issued OTHER = TestPki.create("Other CA").issue("other", "x.example");

    @TempDir
    Path dir;

    private String config(String extra, String tls) {
        String yaml = TestConfigs.valid(8080, "https://asgard.example", extra + "\n");
        return tls.isEmpty() ? yaml : yaml.replace("  maxBodyBytes: 1024\n", "  maxBodyBytes: 1024\n  tls: " + tls + "\n");
    }

    private List<String> problems(String yaml) {
        try (Assembly assembly = Bootstrap.assemble(TestConfigs.write(dir, yaml), Map.<String, String>of()::get, dir)) {
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }

    @Test
    void readsTheBundleTheProxyAndTheServerCertificateFiles() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), PKI.caPem());
        Files.writeString(dir.resolve("tls.crt"), SERVER.certificatePem());
        Files.writeString(dir.resolve("tls.key"), SERVER.keyPem());
        String yaml = config("""
            outbound:
              caBundle: ${file:ca.pem}
              proxy: {url: "http://p:3128", noProxy: [.acme.internal, 10.0.0.0/8], username: atlas,
                      password: ${env:PROXY_PASSWORD}}
            """, "{certificate: ${file:tls.crt}, privateKey: ${file:tls.key}}");
        try (Assembly assembly = Bootstrap.assemble(TestConfigs.write(dir, yaml),
            Map.of("PROXY_PASSWORD", "pw")::get, dir)) {
            AtlasConfig config = assembly.config();
            assertThat(config.outbound().caBundlePem()).hasValueSatisfying(p -> assertThat(p).contains("BEGIN"));
            assertThat(config.outbound().proxy()).hasValueSatisfying(p -> {
                assertThat(p.url()).isEqualTo(URI.create("http://p:3128"));
                assertThat(p.noProxy()).containsExactly(".acme.internal", "10.0.0.0/8");
                assertThat(p.password()).hasValueSatisfying(s -> assertThat(s.reveal()).isEqualTo("pw"));
            });
            assertThat(config.server().tls()).hasValueSatisfying(t -> {
                assertThat(t.certificateFile()).contains(dir.resolve("tls.crt"));
                assertThat(t.privateKeyFile()).contains(dir.resolve("tls.key"));
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        bundle not PEM | 'outbound: {caBundle: hello}' | outbound.caBundle: holds no PEM certificate
        bad bundle|'outbound: {caBundle: "-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----"}'|outbound.caBundle: is not a
        unknown outbound key | 'outbound: {proxies: []}' | outbound.proxies: unknown key
        proxy without url | 'outbound: {proxy: {noProxy: [a.example]}}' | outbound.proxy.url: must not be empty
        https proxy | 'outbound: {proxy: {url: "https://proxy.acme:3128"}}' | outbound.proxy.url: must be an http:// URL
        proxy url without host | 'outbound: {proxy: {url: "http:///x"}}' | outbound.proxy.url: must be an http:// URL
        proxy url with credentials | 'outbound: {proxy: {url: "http://u:p@p:3128"}}' | outbound.proxy.url: must not carry
        proxy url with a path | 'outbound: {proxy: {url: "http://p:3128/x"}}' | outbound.proxy.url: must be only scheme
        bad cidr|'outbound: {proxy: {url: "http://p:3128", noProxy: [ok.example, 10.0.0.0/40]}}'|outbound.proxy.noProxy[1]: '10.0.0.0/40' has
        port in noProxy|'outbound: {proxy: {url: "http://p:3128", noProxy: ["h.example:443"]}}'|outbound.proxy.noProxy[0]: 'h.example:443'
        user without password|'outbound: {proxy: {url: "http://p:3128", username: atlas}}'|outbound.proxy.password: is required when username
        password without user|'outbound: {proxy: {url: "http://p:3128", password: pw}}'|outbound.proxy.username: is required when password
        """)
    void reportsAWrongOutboundValueUnderItsKey(String name, String extra, String expected) {
        assertThat(problems(config(extra, ""))).anySatisfy(p -> assertThat(p).startsWith(expected));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        certificate missing | '{privateKey: ${file:tls.key}}' | server.tls.certificate: must not be empty
        certificate not PEM | '{certificate: nope, privateKey: ${file:tls.key}}' | server.tls.certificate: holds no PEM
        certificate unreadable | '{certificate: ${file:absent.crt}, privateKey: x}' | server.tls.certificate: cannot read
        key not PEM | '{certificate: ${file:tls.crt}, privateKey: nope}' | server.tls.privateKey: holds no unencrypted
        key of another type | '{certificate: ${file:tls.crt}, privateKey: ${file:rsa.key}}' | server.tls.privateKey: is a RSA
        unknown tls key | '{certificate: ${file:tls.crt}, privateKey: x, ca: x}' | server.tls.ca: unknown key
        """)
    void reportsAWrongServerTlsValueUnderItsKey(String name, String tls, String expected) throws Exception {
        Files.writeString(dir.resolve("tls.crt"), SERVER.certificatePem());
        Files.writeString(dir.resolve("tls.key"), SERVER.keyPem());
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Files.writeString(dir.resolve("rsa.key"), "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder()
            .encodeToString(rsa.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        assertThat(problems(config("", tls))).anySatisfy(p -> assertThat(p).startsWith(expected));
    }

    @Test
    void neverQuotesAKeyOrPasswordInAProblem() {
        List<String> problems = problems(config("outbound: {proxy: {url: \"http://p:3128\", password: "
            + "hunter2-secret}}", "{certificate: nope, privateKey: \"" + OTHER.keyPem().replace("\n", "\\n")
            .replace("PRIVATE KEY-----\\nM", "PRIVATE KEY-----\\nX") + "\"}"));
        assertThat(problems).isNotEmpty().allSatisfy(p -> assertThat(p).doesNotContain("hunter2", "MIG", "XIG"));
    }
}
