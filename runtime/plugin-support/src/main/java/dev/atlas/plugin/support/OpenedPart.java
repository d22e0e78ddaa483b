package dev.atlas.plugin.support;

import java.util.Objects;
import java.util.Optional;

/**
 * A part that a provider builds in {@code open()} (a token cache, a login client) and uses on every call afterwards.
 * Reading it before {@code open()} is a host bug, reported as such instead of as a {@code NullPointerException}. Safe
 * to set on one thread and read on others; no method blocks.
 *
 * @param <T> the part's type
 */
public final class OpenedPart<T> {
    private final String owner;
    private volatile T value;

    /** A part not yet built; {@code owner} names its holder in the error (for example {@code provider for app gh}). */
    public OpenedPart(String owner) {
        this.owner = owner;
    }

    /** Called from {@code open()} with the built part; a later call replaces it. */
    public void set(T part) {
        value = Objects.requireNonNull(part, "part");
    }

    /**
     * The part, for a call after {@code open()}.
     *
     * @throws IllegalStateException when {@code open()} has not set it yet
     */
    public T get() {
        T v = value;
        if (v == null) {
            throw new IllegalStateException(owner + " used before open()");
        }
        return v;
    }

    /** The part if {@code open()} set it: for {@code close()}, which must be safe after a failed or missing open. */
    public Optional<T> ifOpened() {
        return Optional.ofNullable(value);
    }
}
