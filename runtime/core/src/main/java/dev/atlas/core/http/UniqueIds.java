package dev.atlas.core.http;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids that must be unique but need not be unpredictable: request ids, temporary file names, token ids a signature or
 * MAC protects. Not {@link UUID#randomUUID()}, whose one {@code SecureRandom} is a lock every request thread would
 * queue on (it showed in the benchmarks' profiles). Never use these for a secret, a nonce or a capability.
 */
public final class UniqueIds {
    private UniqueIds() {
    }

    /** A random (version 4 shaped) UUID from the calling thread's own generator, as text. */
    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong() & ~0xF000L | 0x4000L;
        long low = random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
