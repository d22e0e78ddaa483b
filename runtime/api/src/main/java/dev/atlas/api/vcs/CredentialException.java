package dev.atlas.api.vcs;

/**
 * Credentials could not be had. {@link #unreachable()} tells a VCS that did not answer (the proxy answers 502, the
 * task ingress 503) from a VCS that refused (no such installation, revoked key: 502 with the reason).
 */
public class CredentialException extends Exception {
    private final boolean unreachable;

    public CredentialException(String message, boolean unreachable, Throwable cause) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    public CredentialException(String message, boolean unreachable) {
        this(message, unreachable, null);
    }

    public boolean unreachable() {
        return unreachable;
    }
}
