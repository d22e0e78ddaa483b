package dev.atlas.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
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
            Path zip;
            try (Stream<Path> files = Files.list(moduleTarget)) {
                zip = files.filter(p -> p.getFileName().toString().endsWith("-plugin.zip")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no *-plugin.zip in " + moduleTarget + "; run package"));
            }
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
}
