package dev.atlas.core.health;

/** One thing readiness depends on (the spool, the broker, the driver). Must answer within a few seconds. */
public interface ReadinessCheck {

    /** The check's name in the readiness report. */
    String name();

    /** Whether it is ready now, with a detail that never holds a secret. */
    Result check();

    /** A check named {@code name} whose outcome {@code check} gives each time readiness is asked. */
    static ReadinessCheck of(String name, java.util.function.Supplier<Result> check) {
        return new ReadinessCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Result check() {
                return check.get();
            }
        };
    }

    /** A check's outcome. */
    record Result(boolean up, String detail) {
    }
}
