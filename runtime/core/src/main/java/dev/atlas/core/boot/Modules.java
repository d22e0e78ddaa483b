package dev.atlas.core.boot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The gateway's duties, found as {@link ApplicationModule} services on the class path (one jar per duty in
 * {@code lib/}), in the order they are configured.
 */
public final class Modules {
    /**
     * The duties whose steps the shipped routes call ({@code routes/*.camel.yaml}): without one of them the routes
     * would not start, so a missing one stops the start naming it, before anything listens.
     */
    public static final List<String> REQUIRED = List.of("webhooks", "proxy", "identity", "tasks", "git", "results");

    private Modules() {
    }

    /**
     * A fresh instance of every module on the class path, ordered by {@link ApplicationModule#order()}.
     *
     * @throws IllegalStateException when a duty of {@link #REQUIRED} is missing or two modules claim one id
     */
    public static List<ApplicationModule> all() {
        return arrange(present(), REQUIRED);
    }

    /** The duties on the class path, in no particular order, whether or not every required one is there. */
    static List<ApplicationModule> present() {
        List<ApplicationModule> found = new ArrayList<>();
        ServiceLoader.load(ApplicationModule.class, Modules.class.getClassLoader()).forEach(found::add);
        return found;
    }

    /** {@code found} in configuration order, once every duty of {@code required} is among them. */
    static List<ApplicationModule> arrange(List<ApplicationModule> found, List<String> required) {
        List<ApplicationModule> modules = new ArrayList<>(found);
        modules.sort(Comparator.comparingInt(ApplicationModule::order).thenComparing(ApplicationModule::id));
        Set<String> ids = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (ApplicationModule module : modules) {
            if (!ids.add(module.id())) {
                problems.add("two modules claim the duty " + module.id());
            }
        }
        for (String duty : required) {
            if (!ids.contains(duty)) {
                problems.add("the " + duty + " duty is missing: no module on the class path provides it (is its jar"
                    + " in lib/?)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("cannot start: " + String.join("; ", problems));
        }
        return List.copyOf(modules);
    }
}
