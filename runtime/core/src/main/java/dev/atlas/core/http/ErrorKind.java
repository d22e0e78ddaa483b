package dev.atlas.core.http;

/**
 * Every error Atlas answers over HTTP, with its status and JSON {@code error} code. This enum is the one place where
 * typed errors meet HTTP statuses.
 */
public enum ErrorKind {
    INVALID_REQUEST(400, "invalid_request"),
    UNAUTHORIZED(401, "unauthorized"),
    SIGNATURE_REJECTED(401, "signature_rejected"),
    POLICY_DENIED(403, "policy_denied"),
    FORBIDDEN(403, "forbidden"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    CONFLICT(409, "conflict"),
    PAYLOAD_TOO_LARGE(413, "payload_too_large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
    UPSTREAM_UNAVAILABLE(502, "upstream_unavailable"),
    SERVICE_UNAVAILABLE(503, "service_unavailable"),
    UPSTREAM_TIMEOUT(504, "upstream_timeout"),
    INTERNAL(500, "internal_error");

    private final int status;
    private final String code;

    ErrorKind(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
