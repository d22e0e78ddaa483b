package dev.atlas.identity;

import java.util.Optional;

/**
 * An OAuth error answer (RFC 6749 §5.2, RFC 6750 §3): its {@code error} code, HTTP status, and the
 * {@code WWW-Authenticate} challenge when the status is 401. The message becomes {@code error_description}, so it never
 * holds a token, code, secret or verifier.
 */
final class OAuthError extends Exception {
    private final String code;
    private final int status;
    private final Optional<String> challenge;

    private OAuthError(String code, int status, String description, Optional<String> challenge) {
        super(description, null, false, false);
        this.code = code;
        this.status = status;
        this.challenge = challenge;
    }

    static OAuthError invalidRequest(String description) {
        return new OAuthError("invalid_request", 400, description, Optional.empty());
    }

    static OAuthError invalidGrant(String description) {
        return new OAuthError("invalid_grant", 400, description, Optional.empty());
    }

    static OAuthError invalidScope(String description) {
        return new OAuthError("invalid_scope", 400, description, Optional.empty());
    }

    static OAuthError unsupportedGrantType(String description) {
        return new OAuthError("unsupported_grant_type", 400, description, Optional.empty());
    }

    /** Client authentication failed: 401 with a Basic challenge (RFC 6749 §5.2). */
    static OAuthError invalidClient(String description) {
        return new OAuthError("invalid_client", 401, description, Optional.of("Basic realm=\"atlas\""));
    }

    /** A bearer token at userinfo failed (RFC 6750 §3.1). */
    static OAuthError invalidToken(String description) {
        return new OAuthError("invalid_token", 401, description,
            Optional.of("Bearer realm=\"atlas\", error=\"invalid_token\", error_description=\""
                + description.replace("\\", "").replace("\"", "'") + "\""));
    }

    String code() {
        return code;
    }

    int status() {
        return status;
    }

    Optional<String> challenge() {
        return challenge;
    }
}
