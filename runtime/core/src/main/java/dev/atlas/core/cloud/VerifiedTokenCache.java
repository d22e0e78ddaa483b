package dev.atlas.core.cloud;

import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claims of caller JWTs whose signature {@link CloudAuthenticator} has verified, so that a token the cloud sends with
 * many requests is parsed and verified once. Keyed by the SHA-256 of the whole compact token (header, claims and
 * signature): a token changed in any byte is another key and goes through full verification; the token itself is
 * not kept. An entry is served only until its {@code exp}, and the caller still checks the claims on every hit.
 * Bounded: when full, expired entries are dropped, and if none were, the cache starts over.
 */
final class VerifiedTokenCache {
    private record Entry(JWTClaimsSet claims, Instant expires) {
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;

    /** A token's SHA-256, compared by value. */
    record Key(byte[] sha256) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && MessageDigest.isEqual(sha256, k.sha256);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(sha256);
        }

        @Override
        public String toString() {
            return "Key[sha256]";
        }
    }

    VerifiedTokenCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    static Key keyOf(String token) {
        try {
            return new Key(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The verified claims of the token with {@code key}, unless unknown or past its {@code exp} at {@code now}. */
    Optional<JWTClaimsSet> get(Key key, Instant now) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!now.isBefore(entry.expires())) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.claims());
    }

    /** Remembers claims whose signature verified and which were accepted, until {@code expires}. */
    void put(Key key, JWTClaimsSet claims, Instant expires, Instant now) {
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(e -> !now.isBefore(e.expires()));
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(key, new Entry(claims, expires));
    }

    int size() {
        return entries.size();
    }
}
