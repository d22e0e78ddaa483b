package dev.atlas.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The header-level rules; each plugin's provider tests run the full signature case table through its verifier. */
class HubSignatureTest {
    private static final byte[] KEY = "s3cr3t".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);
    private static final HubSignature CHECK = new HubSignature("X-Hub-Signature-256");

    private static HttpHeaders headers(String... values) {
        return HttpHeaders.of(values.length == 0 ? Map.of() : Map.of("X-Hub-Signature-256", List.of(values)), (a, b) -> true);
    }

    private static String sign(byte[] key) {
        return "sha256=" + HexFormat.of().formatHex(HubSignature.hmacSha256(key, BODY));
    }

    @Test
    void oneThreadsMacsUnderDifferentKeysEachMatchTheKnownVectorsWhateverCameBefore() {
        // RFC 4231 test case 2 and the well-known "key"/"quick brown fox" vector, interleaved on one thread
        byte[] jefe = "Jefe".getBytes(StandardCharsets.UTF_8);
        byte[] question = "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8);
        byte[] key = "key".getBytes(StandardCharsets.UTF_8);
        byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);
        String rfc = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        String known = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
        for (int round = 0; round < 3; round++) {
            assertThat(HexFormat.of().formatHex(HubSignature.hmacSha256(jefe, question))).isEqualTo(rfc);
            assertThat(HexFormat.of().formatHex(HubSignature.hmacSha256(key, fox))).isEqualTo(known);
        }
    }

    @Test
    void aSignatureMadeWithTheAppCheckedJustBeforeOnThisThreadIsRefusedForTheNextApp() {
        // one thread's Mac is keyed per call: a check may never run under the key of the check before it
        byte[] other = "another app's secret".getBytes(StandardCharsets.UTF_8);
        String signedForKey = sign(KEY);
        assertThat(CHECK.check(headers(signedForKey), BODY, KEY)).isEmpty();
        assertThat(CHECK.check(headers(signedForKey), BODY, other)).contains(HubSignature.BAD);
        // nor after an app with an empty secret, refused before any MAC is made
        assertThat(CHECK.check(headers(signedForKey), BODY, new byte[0])).contains(HubSignature.BAD);
        assertThat(CHECK.check(headers(signedForKey), BODY, other)).contains(HubSignature.BAD);
        assertThat(CHECK.check(headers(sign(other)), BODY, other)).isEmpty();
    }

    @Test
    void acceptsTheRightSignatureInTheConfiguredHeader() {
        assertThat(CHECK.check(headers(sign(KEY)), BODY, KEY)).isEmpty();
    }

    @Test
    void rejectsEveryWellFormedSignatureWhenTheSecretIsEmpty() {
        assertThat(CHECK.check(headers(sign(KEY)), BODY, new byte[0])).contains(HubSignature.BAD);
    }

    @Test
    void namesTheReasonForEachRejection() {
        assertThat(CHECK.check(headers(), BODY, KEY)).contains(HubSignature.MISSING);
        assertThat(CHECK.check(headers(sign(KEY), sign(KEY)), BODY, KEY)).contains(HubSignature.MALFORMED);
        assertThat(CHECK.check(headers(sign("other".getBytes(StandardCharsets.UTF_8))), BODY, KEY)).contains(HubSignature.BAD);
    }

    @Test
    void readsOnlyTheHeaderItWasMadeFor() {
        HttpHeaders other = HttpHeaders.of(Map.of("X-Hub-Signature", List.of(sign(KEY))), (a, b) -> true);

        assertThat(CHECK.check(other, BODY, KEY)).contains(HubSignature.MISSING);
    }
}
