package dev.atlas.core.outbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The bodies accepted per app within {@code webhooks.replayWindow} (SPEC §4). GitHub, Bitbucket and GitLab's classic
 * token sign the body only, never a timestamp or the delivery id: a captured webhook sent again with a new delivery id,
 * none, or another event header still carries a valid signature. Atlas therefore refuses a body it already accepted
 * for the same app within the window, whatever its headers.
 *
 * <p>A body is claimed before the spool stores it and released when the spool could not, so a VCS retrying after a
 * 503 is not taken for a replay.
 */
public interface ReplayWindow {

    /**
     * Records {@code body} as accepted for {@code appId} at {@code now}; false when the same body was accepted for the
     * app within the window (a replay). Thread-safe: of two identical bodies arriving at once exactly one is new.
     */
    boolean claim(String appId, byte[] body, Instant now) throws IOException;

    /** Forgets a claim whose webhook was not stored after all. */
    void release(String appId, byte[] body);

    /** Drops the claims older than the window as of {@code now}. */
    void prune(Instant now) throws IOException;

    /** The key of a body: SHA-256 over the app id and the body, in hex. */
    static String key(String appId, byte[] body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(appId.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
            return HexFormat.of().formatHex(digest.digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
