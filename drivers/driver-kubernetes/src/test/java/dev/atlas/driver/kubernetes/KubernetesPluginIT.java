package dev.atlas.driver.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverFactory;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.DriverContract;
import dev.atlas.testkit.PluginZips;
import dev.atlas.testkit.TestHost;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pf4j.PluginManager;

/**
 * The driver contract against the driver as the host gets it: from the built plugin zip, through PF4J, talking to
 * the mock API server. The test class path has fabric8 too, so a ServiceLoader lookup through the wrong context
 * class loader would hand the plugin an HTTP client factory of the wrong loader; these tests would then fail.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesPluginIT extends DriverContract {
    static KubernetesMockServer server;
    static KubernetesClient client;
    private static PluginManager plugins;
    private final List<Driver> opened = new ArrayList<>();

    @BeforeAll
    static void loadPlugin() {
        plugins = PluginZips.loadBuiltPlugin(Path.of("target"));
    }

    @AfterAll
    static void unloadPlugin() {
        PluginZips.unloadAll(plugins);
    }

    @AfterEach
    void closeDrivers() {
        opened.forEach(Driver::close);
    }

    /** The factory from the plugin itself, not the copy on the test class path. */
    private static DriverFactory factory() {
        return PluginZips.ownExtensions(plugins, DriverFactory.class, "driver-kubernetes").stream()
            .filter(f -> f.id().equals("kubernetes")).findFirst().orElseThrow();
    }

    @Override
    protected Driver driver() throws Exception {
        ProblemList problems = new ProblemList();
        Driver driver = factory().configure(ConfigTrees.section("tasks.kubernetes",
            Map.of("namespace", "atlas-jobs", "masterUrl", server.url("/")), problems), problems);
        assertThat(problems.lines()).isEmpty();
        // the host's threads carry the application class loader as context loader
        Thread.currentThread().setContextClassLoader(ClassLoader.getSystemClassLoader());
        driver.open(TestHost.create());
        opened.add(driver);
        return driver;
    }

    @Test
    void theFactoryComesFromThePluginsOwnClassLoader() {
        assertThat(factory().getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
    }

    @Test
    void createsTheJobThroughThePluginsOwnFabric8() throws Exception {
        driver().submit(spec("t-plugin"));
        assertThat(client.batch().v1().jobs().inNamespace("atlas-jobs").withName("atlas-t-plugin").get()).isNotNull();
    }

    @Test
    void theZipCarriesNoCopyOfWhatTheHostProvides() throws Exception {
        // a second slf4j-api would log nowhere; a second atlas-api or pf4j would hide the extensions
        assertThat(PluginZips.entryNames(Path.of("target"))).noneMatch(n -> n.matches("lib/(slf4j-api|atlas-api|pf4j).*"));
    }
}
