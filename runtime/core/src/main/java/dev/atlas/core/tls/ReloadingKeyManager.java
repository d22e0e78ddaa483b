package dev.atlas.core.tls;

import dev.atlas.core.outbound.PemCertificates;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's certificate and key ({@code server.tls}), looked at again before every TLS handshake: when the
 * files behind the {@code ${file:}} references changed (cert-manager renews them in place), the next handshake
 * presents the new certificate. A pair that does not parse or does not match (a renewal caught half-written) is
 * skipped with a warning and the previous one stays in use until the files change again.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyManager.class);

    private final Optional<Path> certificateFile;
    private final Optional<Path> keyFile;
    private volatile Material current;
    private volatile Material previous;
    private volatile String seen;

    /** One certificate chain with its key; {@code alias} names this generation. */
    private record Material(String alias, X509Certificate[] chain, PrivateKey key) {
    }

    public ReloadingKeyManager(String certificatePem, String keyPem, Optional<Path> certificateFile,
        Optional<Path> keyFile) {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.current = material(0, certificatePem, keyPem);
        this.previous = current;
        this.seen = stamp();
    }

    private static Material material(long generation, String certificatePem, String keyPem) {
        X509Certificate[] chain = PemCertificates.parse(certificatePem).toArray(X509Certificate[]::new);
        PrivateKey key = PemKeys.parse(keyPem);
        if (!chain[0].getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("the key is " + key.getAlgorithm() + ", the certificate's "
                + chain[0].getPublicKey().getAlgorithm());
        }
        return new Material("atlas-" + generation, chain, key);
    }

    /** The certificate presented now (the first of the chain). */
    public X509Certificate certificate() {
        return current.chain()[0];
    }

    /** Re-reads the files when their size or modification time changed since the last look. */
    void refresh() {
        if (certificateFile.isEmpty() && keyFile.isEmpty()) {
            return;
        }
        String stamp = stamp();
        if (Objects.equals(stamp, seen)) {
            return;
        }
        synchronized (this) {
            if (Objects.equals(stamp, seen)) {
                return;
            }
            seen = stamp;
            try {
                Material next = material(Long.parseLong(current.alias().substring(6)) + 1,
                    certificateFile.isPresent() ? read(certificateFile.get()) : pem(current.chain()),
                    read(keyFile.orElseThrow(() -> new IllegalArgumentException("server.tls.privateKey is not a "
                        + "${file:} reference: only the certificate can change"))));
                previous = current;
                current = next;
                LOG.info("server.tls: now presenting the certificate for {} valid until {}",
                    next.chain()[0].getSubjectX500Principal().getName(), next.chain()[0].getNotAfter().toInstant());
            } catch (IOException | RuntimeException e) {
                LOG.warn("server.tls: the changed certificate or key cannot be used yet ({}); keeping the previous "
                    + "one", e.getMessage());
            }
        }
    }

    private String stamp() {
        return stampOf(certificateFile) + "|" + stampOf(keyFile);
    }

    private static String stampOf(Optional<Path> file) {
        if (file.isEmpty()) {
            return "";
        }
        try {
            FileTime time = Files.getLastModifiedTime(file.get());
            return time.toMillis() + "/" + Files.size(file.get());
        } catch (IOException e) {
            return "missing";
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    private static String pem(X509Certificate[] chain) {
        StringBuilder out = new StringBuilder();
        for (X509Certificate certificate : chain) {
            try {
                out.append("-----BEGIN CERTIFICATE-----\n")
                    .append(java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(
                        certificate.getEncoded()))
                    .append("\n-----END CERTIFICATE-----\n");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out.toString();
    }

    private Material byAlias(String alias) {
        Material now = current;
        if (now.alias().equals(alias)) {
            return now;
        }
        Material before = previous;
        return before.alias().equals(alias) ? before : null;
    }

    private String serverAlias(String keyType) {
        refresh();
        Material now = current;
        return now.key().getAlgorithm().equals(keyType) ? now.alias() : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return serverAlias(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return serverAlias(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = serverAlias(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Material material = byAlias(alias);
        return material == null ? null : material.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Material material = byAlias(alias);
        return material == null ? null : material.key();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
