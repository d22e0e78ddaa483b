package dev.atlas.core.boot;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.MapConfigSection;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverFactory;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.config.ConfigException;
import dev.atlas.core.config.ConfigFiles;
import dev.atlas.core.config.ConfigReader;
import dev.atlas.core.plugins.PluginHost;
import dev.atlas.policies.LoadedPolicy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a config file into an {@link Assembly}: reads and resolves it, loads the plugins it names, lets each VCS
 * plugin and the driver check its own section, checks policies and routes. Every problem of every step is collected
 * and reported together.
 */
public final class Bootstrap {
    private Bootstrap() {
    }

    /**
     * @param configFile {@code atlas.yaml}
     * @param environment how {@code ${env:NAME}} references are looked up
     * @param home the distribution folder (default plugin and driver folders)
     * @throws ConfigException listing every problem found, each with its key
     */
    public static Assembly assemble(Path configFile, Function<String, String> environment, Path home)
        throws ConfigException {
        Path file = configFile.toAbsolutePath().normalize();
        ProblemList problems = new ProblemList();
        Map<String, Object> tree = ConfigFiles.readResolved(file, environment, problems);
        ConfigSection root = MapConfigSection.root(tree, problems);
        Path baseDir = file.getParent();

        PluginHost plugins = PluginHost.load(ConfigReader.pluginDirs(root, baseDir, home), problems);
        try {
            Map<String, String> vcsSections = plugins.vcsFactories().values().stream()
                .collect(Collectors.toMap(VcsProviderFactory::id, VcsProviderFactory::configSection));
            AtlasConfig config = new ConfigReader(vcsSections, plugins.driverFactories().keySet(), baseDir, home)
                .read(file, root);

            Map<String, VcsProvider> providers = new LinkedHashMap<>();
            for (AtlasConfig.App app : config.apps()) {
                VcsProviderFactory factory = plugins.vcsFactories().get(app.vcs());
                if (factory != null) {
                    providers.put(app.id(), factory.configure(app.settings(), app.providerSection(), problems));
                }
            }
            Driver driver = null;
            DriverFactory driverFactory = plugins.driverFactories().get(config.tasks().driver());
            if (driverFactory != null) {
                driver = driverFactory.configure(config.tasks().driverSection(), problems);
            }
            Map<String, LoadedPolicy> policies = Policies.load(config, providers, problems);
            RouteCatalog routes = RouteCatalog.load(config.routesDir(), problems);
            if (!problems.isEmpty()) {
                throw new ConfigException(problems.lines());
            }
            return new Assembly(config, plugins, providers, driver, policies, routes);
        } catch (ConfigException | RuntimeException e) {
            plugins.close();
            throw e;
        }
    }
}
