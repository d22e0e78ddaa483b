package dev.atlas.core.boot;

/**
 * One duty of the gateway (webhook relay, VCS proxy, tasks, identity provider): binds the processors its routes call
 * and registers its readiness checks. Called once while Camel is configured, before routes start.
 */
public interface ApplicationModule extends AutoCloseable {

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
