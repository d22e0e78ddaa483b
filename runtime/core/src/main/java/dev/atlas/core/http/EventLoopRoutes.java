package dev.atlas.core.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;

/**
 * The platform-http paths whose routes run on the HTTP event loop instead of a worker thread
 * ({@link EventLoopHttpConsumer}). A duty adds a path only when every step of its shipped route returns without
 * waiting (an asynchronous step completes later, from its own thread). Bound in the Camel registry as
 * {@value #NAME} before the duties configure themselves.
 */
public final class EventLoopRoutes {
    /** The registry name. */
    public static final String NAME = "atlasEventLoopRoutes";

    private final Set<String> paths = ConcurrentHashMap.newKeySet();

    /** The host's instance in {@code camel}'s registry. */
    public static EventLoopRoutes of(CamelContext camel) {
        EventLoopRoutes routes = camel.getRegistry().lookupByNameAndType(NAME, EventLoopRoutes.class);
        if (routes == null) {
            throw new IllegalStateException("the host bound no " + NAME);
        }
        return routes;
    }

    /** Runs the route consuming {@code platform-http:<path>} on the event loop. */
    public void add(String path) {
        paths.add(path);
    }

    /** Whether the route consuming {@code path} runs on the event loop. */
    public boolean contains(String path) {
        return paths.contains(path);
    }
}
