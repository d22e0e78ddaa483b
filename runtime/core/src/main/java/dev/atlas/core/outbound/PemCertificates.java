package dev.atlas.core.outbound;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Reads X.509 certificates from PEM text (a CA bundle or a server's certificate chain). */
public final class PemCertificates {
    private PemCertificates() {
    }

    /**
     * @throws IllegalArgumentException when the text holds no certificate or one that does not parse; the message
     *     never quotes the text
     */
    public static List<X509Certificate> parse(String pem) {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate certificate : factory.generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) certificate);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("holds no PEM certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("is not a valid PEM certificate list (" + e.getMessage() + ")", e);
        }
    }
}
