package dev.atlas.identity.store;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code auth.storage: memory}: this process's memory. A restart ends every login's refresh chain, and each replica has
 * its own, so codes and refresh tokens work only at the replica that issued them.
 */
public final class MemoryLoginStore implements LoginStore {
    private final Map<String, Entry> records = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    private static String id(Kind kind, String key) {
        return kind.label() + "/" + LoginStore.checkKey(key);
    }

    @Override
    public boolean create(Kind kind, String key, Map<String, String> data, Instant expiresAt) {
        Entry entry = new Entry(data, expiresAt, Long.toString(versions.incrementAndGet()));
        return records.putIfAbsent(id(kind, key), entry) == null;
    }

    @Override
    public Optional<Entry> get(Kind kind, String key) {
        return Optional.ofNullable(records.get(id(kind, key)));
    }

    @Override
    public boolean replace(Kind kind, String key, String expectedVersion, Map<String, String> data,
        Instant expiresAt) {
        boolean[] replaced = {false};
        records.computeIfPresent(id(kind, key), (k, current) -> {
            if (!current.version().equals(expectedVersion)) {
                return current;
            }
            replaced[0] = true;
            return new Entry(data, expiresAt, Long.toString(versions.incrementAndGet()));
        });
        return replaced[0];
    }

    @Override
    public int sweep(Instant now) {
        int before = records.size();
        records.values().removeIf(e -> !now.isBefore(e.expiresAt()));
        return before - records.size();
    }

    @Override
    public String describe() {
        return "memory (this replica only; a restart ends every login)";
    }
}
