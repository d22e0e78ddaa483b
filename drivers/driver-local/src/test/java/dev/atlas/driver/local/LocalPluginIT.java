package dev.atlas.driver.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverFactory;
import dev.atlas.api.driver.JobStatus;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.DriverContract;
import dev.atlas.testkit.PluginZips;
import dev.atlas.testkit.TestHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pf4j.PluginManager;

/** The driver contract again, against the driver as the host gets it: from the built plugin zip, through PF4J. */
class LocalPluginIT extends DriverContract {
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
        return PluginZips.ownExtensions(plugins, DriverFactory.class, "driver-local").stream()
            .filter(f -> f.id().equals("local")).findFirst().orElseThrow();
    }

    @Override
    protected Driver driver() throws Exception {
        ProblemList problems = new ProblemList();
        Driver driver = factory().configure(ConfigTrees.section("tasks.local", Map.of("maxConcurrent", 2), problems),
            problems);
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
    void runsAJobToSuccessThroughThePlugin() throws Exception {
        Driver driver = driver();
        assertThat(driver.submit(spec("t-plugin")).created()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() ->
            driver.status("t-plugin").map(JobStatus::state).orElse(null) == JobStatus.State.SUCCEEDED);
    }

    @Test
    void theZipCarriesNoCopyOfWhatTheHostProvides() throws Exception {
        // a second slf4j-api would log nowhere; a second atlas-api or pf4j would hide the extensions
        assertThat(PluginZips.entryNames(Path.of("target"))).noneMatch(n -> n.matches("lib/(slf4j-api|atlas-api|pf4j).*"));
    }
}
