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
import dev.atlas.core.outbound.OutboundNetwork;
import dev.atlas.core.plugins.PluginHost;
import dev.atlas.policies.LoadedPolicy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
            // each app's policy (a GraphQL schema to build) on its own thread, while this one sets up the outbound
            // network (the JVM's trust store; once its keys checked out) and reads the routes; problems are listed in
            // the order of the steps
            ProblemList policyProblems = new ProblemList();
            CompletableFuture<Map<String, LoadedPolicy>> policiesRead = CompletableFuture.supplyAsync(
                () -> Policies.load(config, providers, policyProblems), Bootstrap::onItsOwnThread);
            ProblemList laterProblems = new ProblemList();
            OutboundNetwork outbound = problems.isEmpty() ? outbound(config, laterProblems) : null;
            RouteCatalog routes = RouteCatalog.load(config.routesDir(), laterProblems);
            Map<String, LoadedPolicy> policies = joined(policiesRead);
            problems.addAll(policyProblems);
            problems.addAll(laterProblems);
            if (!problems.isEmpty()) {
                throw new ConfigException(problems.lines());
            }
            return new Assembly(config, plugins, providers, driver, policies, routes, outbound);
        } catch (ConfigException | RuntimeException e) {
            plugins.close();
            throw e;
        }
    }

    private static OutboundNetwork outbound(AtlasConfig config, ProblemList problems) {
        try {
            return OutboundNetwork.of(config.outbound());
        } catch (IllegalStateException | IllegalArgumentException e) {
            problems.add("outbound.caBundle", e.getMessage());
            return null;
        }
    }

    private static void onItsOwnThread(Runnable task) {
        Thread thread = new Thread(task, "atlas-policies");
        thread.setDaemon(true);
        thread.start();
    }

    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
