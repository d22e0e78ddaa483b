package dev.atlas.core.tls;

import dev.atlas.core.config.AtlasConfig;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SSLOptions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * HTTPS on {@code server.port} ({@code server.tls}, SPEC §10), TLS 1.2 and 1.3 only. Camel's platform-http server
 * takes its TLS set-up once, as a key store ({@link #camelParameters()}); once it listens, {@link #install} hands
 * the Vert.x server a {@link ReloadingKeyManager} instead, so a renewed certificate is served without a restart.
 */
public final class ServerTls {
    /** The protocols the listener speaks. */
    public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    private final ReloadingKeyManager keyManager;

    public ServerTls(AtlasConfig.Tls tls) {
        this.keyManager = new ReloadingKeyManager(tls.certificatePem(), tls.privateKeyPem().reveal(),
            tls.certificateFile(), tls.privateKeyFile());
    }

    public ReloadingKeyManager keyManager() {
        return keyManager;
    }

    /** The start-up certificate as Camel's SSL parameters (an in-memory key store under a random password). */
    public SSLContextParameters camelParameters() {
        try {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String password = Base64.getEncoder().encodeToString(random);
            String alias = keyManager.chooseEngineServerAlias(keyManager.certificate().getPublicKey().getAlgorithm(),
                null, null);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("atlas", keyManager.getPrivateKey(alias), password.toCharArray(),
                keyManager.getCertificateChain(alias));
            KeyStoreParameters storeParameters = new KeyStoreParameters();
            storeParameters.setKeyStore(store);
            storeParameters.setPassword(password);
            KeyManagersParameters keyManagers = new KeyManagersParameters();
            keyManagers.setKeyStore(storeParameters);
            keyManagers.setKeyPassword(password);
            SSLContextParameters parameters = new SSLContextParameters();
            parameters.setKeyManagers(keyManagers);
            return parameters;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up server.tls: " + e.getMessage(), e);
        }
    }

    /** Gives the listening server the reloading key manager and the TLS 1.2+ protocol list. */
    public void install(HttpServer server) throws Exception {
        server.updateSSLOptions(sslOptions()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The reloading key manager and the TLS 1.2+ protocol list, for a server of Atlas's port. */
    public SSLOptions sslOptions() {
        return new SSLOptions()
            .setKeyCertOptions(KeyCertOptions.wrap(keyManager))
            .setEnabledSecureTransportProtocols(PROTOCOLS);
    }

    /** The certificate presented now. */
    public X509Certificate certificate() {
        return keyManager.certificate();
    }
}
