package dev.atlas.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Loads a module's built plugin zip ({@code target/*-plugin.zip}) through the real PF4J plugin manager, as the host
 * does: used by each plugin's {@code *PluginIT}, which runs after {@code package}.
 */
public final class PluginZips {
    private PluginZips() {
    }

    /** Copies the module's plugin zip into a fresh plugins folder and starts a plugin manager over it. */
    public static PluginManager loadBuiltPlugin(Path moduleTarget) {
        try {
            Path zip = builtZip(moduleTarget);
            Path dir = Files.createTempDirectory("atlas-plugins");
            Files.copy(zip, dir.resolve(zip.getFileName()));
            PluginManager manager = new DefaultPluginManager(List.of(dir));
            manager.loadPlugins();
            manager.startPlugins();
            for (PluginWrapper plugin : manager.getPlugins()) {
                if (plugin.getPluginState() != PluginState.STARTED) {
                    throw new IllegalStateException("plugin " + plugin.getPluginId() + " is " + plugin.getPluginState(),
                        plugin.getFailedException());
                }
            }
            return manager;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The module's plugin zip ({@code *-plugin.zip} in {@code moduleTarget}); fails if it has not been packaged. */
    public static Path builtZip(Path moduleTarget) throws IOException {
        try (Stream<Path> files = Files.list(moduleTarget)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-plugin.zip")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no *-plugin.zip in " + moduleTarget + "; run package"));
        }
    }

    /** The entry names of the module's plugin zip, such as {@code lib/vcs-github.jar}. */
    public static List<String> entryNames(Path moduleTarget) throws IOException {
        try (ZipFile file = new ZipFile(builtZip(moduleTarget).toFile())) {
            return file.stream().map(ZipEntry::getName).toList();
        }
    }

    /**
     * The extensions of {@code type} that plugin {@code pluginId} itself provides. The test class path holds the
     * module's classes and extension index too, which PF4J offers as "system" extensions loaded by the application
     * class loader; those copies are left out.
     */
    public static <T> List<T> ownExtensions(PluginManager manager, Class<T> type, String pluginId) {
        return manager.getExtensions(type, pluginId).stream().filter(e -> {
            PluginWrapper owner = manager.whichPlugin(e.getClass());
            return owner != null && owner.getPluginId().equals(pluginId);
        }).toList();
    }

    /** Stops and unloads every plugin, one by one: PF4J's {@code stopPlugins()} trips over its own list when a plugin stops. */
    public static void unloadAll(PluginManager manager) {
        manager.getPlugins().stream().map(PluginWrapper::getPluginId).toList().forEach(manager::unloadPlugin);
    }
}
