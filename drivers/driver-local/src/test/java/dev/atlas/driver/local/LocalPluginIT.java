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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pf4j.PluginManager;
import org.pf4j.PluginWrapper;

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
        // one by one: PF4J's stopPlugins() trips over its own list when a plugin stops
        plugins.getPlugins().stream().map(PluginWrapper::getPluginId).toList().forEach(plugins::unloadPlugin);
    }

    @AfterEach
    void closeDrivers() {
        opened.forEach(Driver::close);
    }

    /**
     * The factory from the plugin itself. The test class path holds the module's classes and extension index too,
     * so an unqualified {@code getExtensions} would also offer that copy, loaded by the application class loader.
     */
    private static DriverFactory factory() {
        return plugins.getExtensions(DriverFactory.class, "driver-local").stream()
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
        Path zip;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            zip = files.filter(f -> f.getFileName().toString().endsWith("-plugin.zip")).findFirst().orElseThrow();
        }
        try (ZipFile file = new ZipFile(zip.toFile())) {
            // a second slf4j-api would log nowhere; a second atlas-api or pf4j would hide the extensions
            assertThat(file.stream().map(ZipEntry::getName)).noneMatch(n -> n.matches("lib/(slf4j-api|atlas-api|pf4j).*"));
        }
    }
}
