package dev.atlas.core.tls;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Reads an unencrypted private key from PEM: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 RSA or SEC1 EC. */
public final class PemKeys {
    private PemKeys() {
    }

    /** @throws IllegalArgumentException when the text holds no such key; the message never quotes the text */
    public static PrivateKey parse(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
                if (object instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("is not a readable PEM private key (" + e.getClass().getSimpleName()
                + ")", e);
        }
        throw new IllegalArgumentException("holds no unencrypted PEM private key (PRIVATE KEY, RSA PRIVATE KEY or "
            + "EC PRIVATE KEY)");
    }
}
