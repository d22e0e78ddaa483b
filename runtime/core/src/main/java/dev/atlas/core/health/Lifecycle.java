package dev.atlas.core.health;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether Atlas is stopping. Set at the first moment of a stop (SIGTERM, SIGINT): readiness answers 503 from then on
 * and task ingress refuses new tasks with 503, while in-flight work finishes.
 */
public final class Lifecycle {
    private final AtomicBoolean stopping = new AtomicBoolean();

    /** Marks the start of a stop; returns false when a stop had already begun. */
    public boolean beginStop() {
        return stopping.compareAndSet(false, true);
    }

    public boolean stopping() {
        return stopping.get();
    }
}
