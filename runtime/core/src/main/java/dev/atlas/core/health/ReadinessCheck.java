package dev.atlas.core.health;

/** One thing readiness depends on (the spool, the broker, the driver). Must answer within a few seconds. */
public interface ReadinessCheck {

    /** The check's name in the readiness report. */
    String name();

    /** Whether it is ready now, with a detail that never holds a secret. */
    Result check();

    /** A check's outcome. */
    record Result(boolean up, String detail) {
    }
}
