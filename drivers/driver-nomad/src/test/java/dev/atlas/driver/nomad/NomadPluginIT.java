package dev.atlas.driver.nomad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverFactory;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.DriverContract;
import dev.atlas.testkit.PluginZips;
import dev.atlas.testkit.TestHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pf4j.PluginManager;

/** The driver contract against the driver as the host gets it: from the built plugin zip, through PF4J. */
class NomadPluginIT extends DriverContract {
    private static PluginManager plugins;
    private FakeNomad nomad;
    private final List<Driver> opened = new ArrayList<>();

    @BeforeAll
    static void loadPlugin() {
        plugins = PluginZips.loadBuiltPlugin(Path.of("target"));
    }

    @AfterAll
    static void unloadPlugin() {
        PluginZips.unloadAll(plugins);
    }

    @BeforeEach
    void startNomad() throws Exception {
        nomad = new FakeNomad("default");
    }

    @AfterEach
    void stop() {
        opened.forEach(Driver::close);
        nomad.close();
        assertThat(nomad.violations()).isEmpty();
    }

    /** The factory from the plugin itself, not the copy on the test class path. */
    private static DriverFactory factory() {
        return PluginZips.ownExtensions(plugins, DriverFactory.class, "driver-nomad").stream()
            .filter(f -> f.id().equals("nomad")).findFirst().orElseThrow();
    }

    @Override
    protected Driver driver() throws Exception {
        ProblemList problems = new ProblemList();
        Driver driver = factory().configure(ConfigTrees.section("tasks.nomad",
            Map.of("address", nomad.address(), "token", FakeNomad.TOKEN), problems), problems);
        assertThat(problems.lines()).isEmpty();
        driver.open(TestHost.create());
        opened.add(driver);
        return driver;
    }

    @Test
    void theFactoryComesFromThePluginsOwnClassLoader() {
        assertThat(factory().getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
    }

    @Test
    void theZipCarriesNoCopyOfWhatTheHostProvides() throws Exception {
        // a second slf4j-api would log nowhere; a second atlas-api or pf4j would hide the extensions
        assertThat(PluginZips.entryNames(Path.of("target"))).noneMatch(n -> n.matches("lib/(slf4j-api|atlas-api|pf4j).*"));
    }
}
