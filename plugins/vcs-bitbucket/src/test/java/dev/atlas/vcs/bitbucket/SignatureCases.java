package dev.atlas.vcs.bitbucket;

import dev.atlas.plugin.support.HubSignature;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The {@code X-Hub-Signature: sha256=…} cases both Bitbucket flavours must decide alike. */
final class SignatureCases {
    static final String SECRET = "s3cr3t-hook";
    static final byte[] BODY = "{\"eventKey\":\"repo:refs_changed\"}".getBytes(StandardCharsets.UTF_8);

    private SignatureCases() {
    }

    static String sign(byte[] key, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(HubSignature.hmacSha256(key, body));
    }

    /** description, header values, body, expected rejection (null: accepted). */
    static Stream<Arguments> cases() {
        byte[] key = SECRET.getBytes(StandardCharsets.UTF_8);
        String good = sign(key, BODY);
        String hex = good.substring("sha256=".length());
        byte[] changed = BODY.clone();
        changed[3] ^= 0x20;
        return Stream.of(
            Arguments.of("the right signature", List.of(good), BODY, null),
            Arguments.of("uppercase hex digits of the right MAC", List.of("sha256=" + hex.toUpperCase(Locale.ROOT)), BODY, null),
            Arguments.of("spaces around the value", List.of(" " + good + " "), BODY, null),
            Arguments.of("a signature made with another secret", List.of(sign("other".getBytes(), BODY)), BODY, "bad_signature"),
            Arguments.of("a body changed by one byte", List.of(good), changed, "bad_signature"),
            Arguments.of("a body cut by one byte", List.of(good), Arrays.copyOf(BODY, BODY.length - 1), "bad_signature"),
            Arguments.of("no signature header", List.of(), BODY, "missing_signature"),
            Arguments.of("an empty header", List.of(""), BODY, "missing_signature"),
            Arguments.of("a signature one digit short", List.of(good.substring(0, good.length() - 1)), BODY, "malformed_signature"),
            Arguments.of("a signature one digit long", List.of(good + "a"), BODY, "malformed_signature"),
            Arguments.of("a GitHub-legacy sha1 value", List.of("sha1=" + hex.substring(0, 40)), BODY, "malformed_signature"),
            Arguments.of("a sha1 prefix on a SHA-256 MAC", List.of("sha1=" + hex), BODY, "malformed_signature"),
            Arguments.of("the bare hex", List.of(hex), BODY, "malformed_signature"),
            Arguments.of("a non-hex digit", List.of(good.substring(0, good.length() - 1) + "z"), BODY, "malformed_signature"),
            Arguments.of("two header values", List.of(good, good), BODY, "malformed_signature"));
    }
}
