package dev.atlas.core.keys;

/**
 * A token failed verification: bad signature, unknown key, wrong algorithm or type, expired, wrong issuer or audience,
 * or not a token at all. The message names the reason only, never the token, so it may be logged.
 */
public final class TokenRejected extends Exception {
    public TokenRejected(String reason) {
        super(reason);
    }

    public TokenRejected(String reason, Throwable cause) {
        super(reason, cause);
    }
}
