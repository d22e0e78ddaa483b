package dev.atlas.webhooks;

import dev.atlas.core.outbox.ReplayWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The replay window of the RabbitMQ spool, in the memory of each replica: at most {@code capacity} bodies (16 bytes of
 * their key and when they were accepted, about 100 bytes each), oldest forgotten first. Like its delivery-id memory it
 * is per replica: a replay that reaches another replica is relayed, and the cloud de-duplicates by {@code webhook-id}.
 */
public final class MemoryReplayWindow implements ReplayWindow {
    /** The default bound: 200,000 bodies, about 20 MiB. */
    public static final int DEFAULT_CAPACITY = 200_000;

    private record Key(long high, long low) {
        static Key of(String hex) {
            return new Key(HexFormat.fromHexDigitsToLong(hex.substring(0, 16)),
                HexFormat.fromHexDigitsToLong(hex.substring(16, 32)));
        }
    }

    private final Duration window;
    private final int capacity;
    private final Map<Key, Instant> accepted = new LinkedHashMap<>();

    public MemoryReplayWindow(Duration window, int capacity) {
        this.window = window;
        this.capacity = capacity;
    }

    @Override
    public synchronized boolean claim(String appId, byte[] body, Instant now) {
        Key key = Key.of(ReplayWindow.key(appId, body));
        Instant previous = accepted.get(key);
        if (previous != null && !previous.isBefore(now.minus(window))) {
            return false;
        }
        accepted.remove(key);
        accepted.put(key, now);
        if (accepted.size() > capacity) {
            Iterator<Key> oldest = accepted.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    @Override
    public synchronized void release(String appId, byte[] body) {
        accepted.remove(Key.of(ReplayWindow.key(appId, body)));
    }

    @Override
    public synchronized void prune(Instant now) {
        Instant cutoff = now.minus(window);
        Iterator<Instant> times = accepted.values().iterator();
        while (times.hasNext() && times.next().isBefore(cutoff)) {
            times.remove();
        }
    }
}
