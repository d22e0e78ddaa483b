package dev.atlas.core.plugins;

import dev.atlas.api.config.Problems;
import dev.atlas.api.driver.DriverFactory;
import dev.atlas.api.vcs.VcsProviderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the PF4J plugins from the plugin folders and indexes their extensions by id. A plugin that fails to load or
 * start, a duplicate plugin id, or two extensions claiming one id are start-up problems naming the plugin.
 */
public final class PluginHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final RecordingPluginManager manager;
    private final Map<String, VcsProviderFactory> vcsFactories = new LinkedHashMap<>();
    private final Map<String, DriverFactory> driverFactories = new LinkedHashMap<>();

    private PluginHost(RecordingPluginManager manager) {
        this.manager = manager;
    }

    /**
     * Loads and starts every plugin under {@code dirs}. Folders that do not exist are skipped (a development run has
     * no distribution folders; a missing {@code plugins.dir} only adds nothing); problems go to
     * {@code problems} under {@code plugins.dir}.
     */
    public static PluginHost load(List<Path> dirs, Problems problems) {
        List<Path> existing = dirs.stream().filter(Files::isDirectory).toList();
        RecordingPluginManager manager = new RecordingPluginManager(existing);
        manager.loadPlugins();
        manager.startPlugins();
        manager.failures.forEach(failure -> problems.add("plugins.dir", failure));
        for (PluginWrapper plugin : manager.getPlugins()) {
            if (plugin.getPluginState() != PluginState.STARTED) {
                Throwable cause = plugin.getFailedException();
                problems.add("plugins.dir", "plugin " + plugin.getPluginId() + " (" + plugin.getPluginPath()
                    + ") did not start" + (cause == null ? "" : ": " + cause.getMessage()));
            }
        }
        PluginHost host = new PluginHost(manager);
        host.index(problems);
        return host;
    }

    private void index(Problems problems) {
        for (VcsProviderFactory factory : manager.getExtensions(VcsProviderFactory.class)) {
            VcsProviderFactory previous = vcsFactories.putIfAbsent(factory.id(), factory);
            if (previous != null && !previous.getClass().getName().equals(factory.getClass().getName())) {
                problems.add("plugins.dir", "VCS id '" + factory.id() + "' is provided twice: by "
                    + origin(previous) + " and by " + origin(factory));
            }
        }
        for (DriverFactory factory : manager.getExtensions(DriverFactory.class)) {
            DriverFactory previous = driverFactories.putIfAbsent(factory.id(), factory);
            if (previous != null && !previous.getClass().getName().equals(factory.getClass().getName())) {
                problems.add("plugins.dir", "driver id '" + factory.id() + "' is provided twice: by "
                    + origin(previous) + " and by " + origin(factory));
            }
        }
        LOG.info("plugins loaded: {}; VCS ids {}; driver ids {}", pluginIds(), vcsFactories.keySet(),
            driverFactories.keySet());
    }

    private String origin(Object extension) {
        PluginWrapper plugin = manager.whichPlugin(extension.getClass());
        return plugin == null ? "the application classpath" : "plugin " + plugin.getPluginId();
    }

    public List<String> pluginIds() {
        return manager.getPlugins().stream().map(PluginWrapper::getPluginId).sorted().toList();
    }

    public Map<String, VcsProviderFactory> vcsFactories() {
        return Collections.unmodifiableMap(vcsFactories);
    }

    public Map<String, DriverFactory> driverFactories() {
        return Collections.unmodifiableMap(driverFactories);
    }

    /**
     * Runs {@code action} with the thread context class loader set to the class loader of {@code extension}'s
     * plugin: libraries inside plugins that look services up through it (ServiceLoader) then find their own.
     */
    public static <T> T withPluginLoader(Object extension, Callable<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(extension.getClass().getClassLoader());
        try {
            return action.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void close() {
        // one by one: PluginManager.stopPlugins() can fail with a ConcurrentModificationException
        for (PluginWrapper plugin : new ArrayList<>(manager.getPlugins())) {
            try {
                manager.unloadPlugin(plugin.getPluginId());
            } catch (RuntimeException e) {
                LOG.warn("plugin {} did not unload cleanly: {}", plugin.getPluginId(), e.toString());
            }
        }
    }

    /** Records plugins that fail to load (PF4J itself only logs them) so that start-up can refuse. */
    private static final class RecordingPluginManager extends DefaultPluginManager {
        private final List<String> failures = new ArrayList<>();

        RecordingPluginManager(List<Path> roots) {
            super(roots);
        }

        @Override
        protected PluginWrapper loadPluginFromPath(Path pluginPath) {
            try {
                return super.loadPluginFromPath(pluginPath);
            } catch (RuntimeException e) {
                failures.add("plugin at " + pluginPath + " failed to load: " + e.getMessage());
                throw e;
            }
        }
    }
}
