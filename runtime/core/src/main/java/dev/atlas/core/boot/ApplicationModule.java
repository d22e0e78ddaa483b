package dev.atlas.core.boot;

/**
 * One duty of the gateway (webhook relay, VCS proxy, tasks, identity provider): binds the processors its routes call
 * and registers its readiness checks. Called once while Camel is configured, before routes start.
 *
 * <p>A duty is a {@link java.util.ServiceLoader} service: its module jar lists its class in
 * {@code META-INF/services/dev.atlas.core.boot.ApplicationModule}, and {@link Modules#all()} finds it there, so the
 * host names no duty's class. The constructor does nothing; all wiring happens in {@link #configure}.
 */
public interface ApplicationModule extends AutoCloseable {

    /** The duty's lowercase id, as start-up errors name it ({@code webhooks}, {@code proxy}, {@code identity} …). */
    default String id() {
        return getClass().getSimpleName();
    }

    /**
     * Where the duty comes when modules are configured (lowest first) and stopped (in the same order): a duty that
     * binds what another's steps read comes first. Ties are broken by {@link #id()}.
     */
    default int order() {
        return 1000;
    }

    /**
     * The names this duty binds for routes ({@code - process: { ref: NAME }}), whether or not the configuration has it
     * bind all of them. The route checker accepts exactly the host's names and these, so {@code atlas check} knows a
     * duty's steps without configuring it; binding a name not listed here fails at start.
     */
    default java.util.Set<String> steps() {
        return java.util.Set.of();
    }

    /** Binds beans and adds readiness checks; may start background services that must be up before routes. */
    void configure(ModuleContext context) throws Exception;

    /** Called when a graceful stop begins, before routes stop (stop taking new work). */
    default void beforeStop() {
    }

    /** Called after routes stopped; releases what {@link #configure} opened. Never throws. */
    @Override
    default void close() {
    }
}
