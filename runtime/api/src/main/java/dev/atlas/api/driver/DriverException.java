package dev.atlas.api.driver;

/** A driver could not do what it was asked; {@link #kind()} says what the caller is told. */
public class DriverException extends Exception {

    /** How a failure is answered. */
    public enum Kind {
        /** The backend cannot be reached or is overloaded: 503 with {@code Retry-After}; retry later. */
        UNAVAILABLE,
        /** The backend refused the job as invalid: 400. */
        REJECTED,
        /** A file of the job does not fit the backend's limits: 413. */
        TOO_LARGE
    }

    private final Kind kind;

    public DriverException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public DriverException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
