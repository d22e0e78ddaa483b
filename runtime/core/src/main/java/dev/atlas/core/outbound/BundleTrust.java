package dev.atlas.core.outbound;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust in the JVM's default CAs plus an operator's bundle ({@code outbound.caBundle}): one trust store holding
 * both, so a chain is accepted when it ends at either (PKIX with all anchors, not "try one then the other").
 */
public final class BundleTrust {
    private BundleTrust() {
    }

    /** The JVM's default trust manager (its {@code cacerts}, or {@code javax.net.ssl.trustStore}). */
    public static X509TrustManager jvmDefaults() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return x509(factory.getTrustManagers());
    }

    /** A trust manager accepting chains that end at a JVM default CA or at one of {@code bundle}. */
    public static X509TrustManager withBundle(List<X509Certificate> bundle) throws GeneralSecurityException {
        if (bundle.isEmpty()) {
            return jvmDefaults();
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot create an in-memory trust store", e);
        }
        int i = 0;
        for (X509Certificate ca : jvmDefaults().getAcceptedIssuers()) {
            store.setCertificateEntry("jvm-" + i++, ca);
        }
        i = 0;
        for (X509Certificate ca : bundle) {
            store.setCertificateEntry("bundle-" + i++, ca);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return x509(factory.getTrustManagers());
    }

    /** A TLS client context over {@code trust}. */
    public static SSLContext context(X509TrustManager trust) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trust}, null);
        return context;
    }

    private static X509TrustManager x509(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager manager : managers) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JVM offers no X.509 trust manager");
    }
}
