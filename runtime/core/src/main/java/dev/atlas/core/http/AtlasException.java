package dev.atlas.core.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An error answered to the caller: its {@link ErrorKind} gives the status, its message is shown to the caller (so
 * it never holds a secret, a token or a request body), and {@link #fields()} adds JSON fields to the answer (such as
 * {@code reason} and {@code rule} of a policy denial).
 */
public class AtlasException extends RuntimeException {
    private final ErrorKind kind;
    private final Map<String, Object> fields;
    private final Optional<Long> retryAfterSeconds;
    private Optional<String> challenge = Optional.empty();

    public AtlasException(ErrorKind kind, String message) {
        this(kind, message, Map.of(), Optional.empty(), null);
    }

    public AtlasException(ErrorKind kind, String message, Map<String, Object> fields, Optional<Long> retryAfterSeconds,
        Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.fields = new LinkedHashMap<>(fields);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static AtlasException badRequest(String message) {
        return new AtlasException(ErrorKind.INVALID_REQUEST, message);
    }

    public static AtlasException notFound(String message) {
        return new AtlasException(ErrorKind.NOT_FOUND, message);
    }

    public static AtlasException unauthorized(String message) {
        return new AtlasException(ErrorKind.UNAUTHORIZED, message);
    }

    /**
     * 401 with {@code WWW-Authenticate: Basic realm="<realm>"}: clients such as git send their credentials only after
     * such a challenge.
     */
    public static AtlasException basicChallenge(String message, String realm) {
        AtlasException error = new AtlasException(ErrorKind.UNAUTHORIZED, message);
        error.challenge = Optional.of("Basic realm=\"" + realm + "\"");
        return error;
    }

    /** 503 with a {@code Retry-After} of {@code seconds}. */
    public static AtlasException unavailable(String message, long seconds, Throwable cause) {
        return new AtlasException(ErrorKind.SERVICE_UNAVAILABLE, message, Map.of(), Optional.of(seconds), cause);
    }

    public ErrorKind kind() {
        return kind;
    }

    public Map<String, Object> fields() {
        return fields;
    }

    public Optional<Long> retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The {@code WWW-Authenticate} value of a 401 that asks for credentials. */
    public Optional<String> challenge() {
        return challenge;
    }
}
