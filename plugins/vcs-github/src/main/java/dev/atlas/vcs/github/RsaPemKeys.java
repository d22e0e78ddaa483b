package dev.atlas.vcs.github;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an RSA private key from PEM text: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, as GitHub issues App keys) or
 * PKCS#8 ({@code BEGIN PRIVATE KEY}). Messages never quote the key.
 */
final class RsaPemKeys {
    static final int MIN_BITS = 2048;

    private static final Pattern PEM = Pattern.compile(
        "-----BEGIN (RSA |)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");

    /** DER of AlgorithmIdentifier { rsaEncryption, NULL }, the fixed prefix a PKCS#1 key needs inside PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    };

    private RsaPemKeys() {
    }

    /** A PEM text that is not a usable RSA private key. */
    static final class BadKeyException extends Exception {
        BadKeyException(String message) {
            super(message);
        }
    }

    /** Parses {@code pem}; the text may have other lines around the PEM block. */
    static RSAPrivateKey parse(String pem) throws BadKeyException {
        if (pem.contains("BEGIN ENCRYPTED PRIVATE KEY") || pem.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new BadKeyException("encrypted private keys are not supported: give the key without a passphrase");
        }
        Matcher m = PEM.matcher(pem);
        if (!m.find()) {
            throw new BadKeyException("not a PEM RSA private key");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new BadKeyException("not a PEM RSA private key");
        }
        byte[] pkcs8 = m.group(1).isEmpty() ? der : pkcs1ToPkcs8(der);
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new BadKeyException("not a PEM RSA private key");
        }
        if (!(key instanceof RSAPrivateKey rsa)) {
            throw new BadKeyException("not a PEM RSA private key");
        }
        if (rsa.getModulus().bitLength() < MIN_BITS) {
            throw new BadKeyException("RSA key is shorter than " + MIN_BITS + " bits");
        }
        return rsa;
    }

    /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { RSAPrivateKey } } around a PKCS#1 key. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        inner.writeBytes(new byte[] {0x02, 0x01, 0x00});
        inner.writeBytes(RSA_ALGORITHM);
        inner.writeBytes(tlv(0x04, pkcs1));
        return tlv(0x30, inner.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
