package dev.atlas.identity.store;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the identity provider keeps its login state ({@code auth.storage}): access codes and refresh-token families,
 * as small records of strings with an expiry. The store knows nothing of OAuth: single use of a code and rotation of a
 * refresh token are compare-and-set on a record's {@link Entry#version()} (done once, in the identity provider), so
 * they hold across every replica that shares a store as long as the store's compare-and-set does.
 *
 * <p>Keys are lowercase hex hashes (of a code, of a family id), never a secret itself; records hold hashes of the
 * tokens, never the tokens. Failures reaching the store are {@link dev.atlas.core.http.AtlasException}s of kind
 * {@code SERVICE_UNAVAILABLE}.
 */
public interface LoginStore extends AutoCloseable {
    /** What a key must look like: a hex digest, which is also a safe file name and Kubernetes object name. */
    Pattern KEY = Pattern.compile("[0-9a-f]{32,128}");

    /** The kinds of record, each with its label value. */
    enum Kind {
        /** An access code. */
        CODE("auth-code"),
        /** A refresh-token family. */
        FAMILY("refresh-family"),
        /** The id of a VCS {@code state} whose callback was taken: a replayed callback is refused at every replica. */
        USED_STATE("used-state");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name of the kind in labels, file names and object names. */
        public String label() {
            return label;
        }
    }

    /**
     * A record as stored now.
     *
     * @param version changes with every write; what {@link #replace} compares
     */
    record Entry(Map<String, String> data, Instant expiresAt, String version) {
        public Entry {
            data = Map.copyOf(data);
        }
    }

    /** Creates the record unless one exists under {@code key} (expired or not); {@code false} when one exists. */
    boolean create(Kind kind, String key, Map<String, String> data, Instant expiresAt);

    /** The record under {@code key}, also when expired (callers judge expiry by their own clock). */
    Optional<Entry> get(Kind kind, String key);

    /**
     * Replaces the record under {@code key} if it is still at {@code expectedVersion}.
     *
     * @return {@code false} when the record changed since it was read, or is gone
     */
    boolean replace(Kind kind, String key, String expectedVersion, Map<String, String> data, Instant expiresAt);

    /** Removes the records that expired before {@code now}; returns how many. */
    int sweep(Instant now);

    /** A short description for the log ("kubernetes namespace atlas"). */
    String describe();

    @Override
    default void close() {
    }

    /** Checks a key given to a store. */
    static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("a login store key is a lowercase hex digest");
        }
        return key;
    }
}
