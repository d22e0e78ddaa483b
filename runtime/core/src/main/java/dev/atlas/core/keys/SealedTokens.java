package dev.atlas.core.keys;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;

/**
 * Tokens only Atlas reads: the OAuth {@code state} it sends to the VCS and the session cookie. Their claims are
 * encrypted and authenticated with one 256-bit key ({@code dir} + {@code A256GCM} JWE): the GCM tag is the signature,
 * so a changed byte, a token sealed with another key or a token of another purpose fails to open. The purpose is the
 * header {@code typ}, which GCM authenticates, so a session cookie never passes as a state and the other way round.
 *
 * <p>The key lives in {@code sealing-key.jwk} in the signing-key folder ({@code 0600}), created on first start, never
 * published (the {@code .jwk} suffix keeps it out of the signing-key set). Replicas sharing the folder share it, so any
 * replica opens what another sealed. Deleting the file ends every pending login and session.
 */
public final class SealedTokens {
    static final String FILE = "sealing-key.jwk";

    private final OctetSequenceKey key;
    private final Clock clock;

    private SealedTokens(OctetSequenceKey key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /** Reads the sealing key of {@code folder}, creating the folder and the key when missing. */
    public static SealedTokens open(Path folder, Clock clock) throws IOException {
        KeyFolder.ensure(folder);
        Path file = folder.resolve(FILE);
        if (!Files.exists(file)) {
            try {
                OctetSequenceKey fresh = new OctetSequenceKeyGenerator(256)
                    // a random id: a thumbprint of a secret key would publish a hash of it in every token header
                    .keyID(java.util.UUID.randomUUID().toString()).generate();
                // another replica may create it at the same moment: whichever file landed first is the key
                KeyFolder.writePrivate(folder, FILE, fresh.toJSONString(), false);
            } catch (JOSEException e) {
                throw new IOException("cannot generate the sealing key", e);
            }
        }
        KeyFolder.warnWhenReadableByOthers(file);
        try {
            if (JWK.parse(Files.readString(file, StandardCharsets.UTF_8)) instanceof OctetSequenceKey oct
                && oct.size() == 256) {
                return new SealedTokens(oct, clock);
            }
        } catch (ParseException e) {
            // fall through: the parser's message may quote the key
        }
        throw new IOException(file + " is not a 256-bit octet-sequence JWK");
    }

    /** Encrypts {@code claims} (which must carry {@code exp}) as a token of {@code purpose}. */
    public String seal(JOSEObjectType purpose, JWTClaimsSet claims) {
        if (claims.getExpirationTime() == null) {
            throw new IllegalArgumentException("a sealed token needs exp");
        }
        EncryptedJWT jwt = new EncryptedJWT(new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
            .type(purpose).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.encrypt(new DirectEncrypter(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("sealing failed", e);
        }
        return jwt.serialize();
    }

    /**
     * Opens a token sealed for {@code purpose} and checks that it has not expired.
     *
     * @throws TokenRejected when it is not such a token, was changed, was sealed with another key, or expired
     */
    public JWTClaimsSet open(JOSEObjectType purpose, String token) throws TokenRejected {
        if (token == null || token.isEmpty()) {
            throw new TokenRejected("missing");
        }
        JWTClaimsSet claims;
        try {
            EncryptedJWT jwt = EncryptedJWT.parse(token);
            JWEHeader header = jwt.getHeader();
            if (!JWEAlgorithm.DIR.equals(header.getAlgorithm()) || !EncryptionMethod.A256GCM.equals(
                header.getEncryptionMethod()) || !purpose.equals(header.getType())
                || !key.getKeyID().equals(header.getKeyID())) {
                throw new TokenRejected("not a " + purpose + " token of this Atlas");
            }
            jwt.decrypt(new DirectDecrypter(key));
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRejected("malformed");
        } catch (JOSEException e) {
            throw new TokenRejected("changed or sealed with another key");
        }
        Date expiry = claims.getExpirationTime();
        if (expiry == null || !expiry.toInstant().isAfter(clock.instant())) {
            throw new TokenRejected("expired");
        }
        return claims;
    }
}
