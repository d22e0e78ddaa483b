package dev.atlas.api.vcs;

/**
 * An OAuth login at the VCS failed: the code exchange was refused, the VCS answered an error status, or it could
 * not be reached. The message is shown to the user on an error page, so it never holds a token or a code.
 */
public class LoginException extends Exception {
    public LoginException(String message, Throwable cause) {
        super(message, cause);
    }

    public LoginException(String message) {
        super(message);
    }
}
