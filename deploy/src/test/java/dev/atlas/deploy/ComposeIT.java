package dev.atlas.deploy;

import static dev.atlas.deploy.HelmChart.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deploy/compose}: the compose file's shape, and its atlas.yaml with the example env file passing check. */
class ComposeIT {
    private static final Path COMPOSE = HelmChart.DEPLOY.resolve("compose");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) throws Exception {
        Map<String, Object> compose = HelmChart.parse(Files.readString(COMPOSE.resolve("compose.yaml")));
        return (Map<String, Object>) at(compose, "services." + name);
    }

    @Test
    void atlasRunsReadOnlyAsNonRootWithItsStateOnAVolume() throws Exception {
        Map<String, Object> atlas = service("atlas");
        assertThat(atlas.get("read_only")).isEqualTo(true);
        assertThat((String) atlas.get("user")).startsWith("65532");
        assertThat((List<String>) atlas.get("volumes")).contains("atlas-data:/var/lib/atlas",
            "./atlas.yaml:/etc/atlas/atlas.yaml:ro");
        assertThat((List<String>) atlas.get("tmpfs")).anySatisfy(t -> assertThat(t).startsWith("/tmp"));
        assertThat((List<String>) atlas.get("cap_drop")).containsExactly("ALL");
        assertThat(atlas.get("restart")).isEqualTo("unless-stopped");
        assertThat(atlas.get("env_file")).isEqualTo(List.of("atlas.env"));
        assertThat(at(atlas, "healthcheck.test").toString()).contains("/health/ready");
        assertThat(at(atlas, "depends_on.rabbitmq.condition")).isEqualTo("service_healthy");
        Duration grace = Duration.parse("PT" + ((String) atlas.get("stop_grace_period")).toUpperCase());
        String timeout = (String) at(HelmChart.parse(Files.readString(COMPOSE.resolve("atlas.yaml"))), "shutdown.timeout");
        assertThat(grace).isGreaterThan(Duration.parse("PT" + timeout.toUpperCase()));
    }

    @Test
    void rabbitmqIsHealthCheckedKeepsItsDataAndIsNotPublished() throws Exception {
        Map<String, Object> rabbitmq = service("rabbitmq");
        assertThat(at(rabbitmq, "healthcheck.test").toString()).contains("rabbitmq-diagnostics");
        assertThat((List<String>) rabbitmq.get("volumes")).contains("rabbitmq-data:/var/lib/rabbitmq");
        assertThat(rabbitmq).doesNotContainKey("ports");
        assertThat(rabbitmq.get("env_file")).isEqualTo(List.of("rabbitmq.env"));
    }

    @Test
    void composeAtlasYamlWithTheExampleEnvFilePassesAtlasCheck(@TempDir Path dir) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(COMPOSE.resolve("atlas.env.example"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        Files.writeString(dir.resolve("gh.pem"), Distribution.rsaPem());
        String yaml = Files.readString(COMPOSE.resolve("atlas.yaml"))
            .replace("/run/secrets/gh_app_key", dir.resolve("gh.pem").toString())
            .replace("/var/lib/atlas/", dir.resolve("data") + "/");
        Path config = dir.resolve("atlas.yaml");
        Files.writeString(config, yaml);
        Distribution.Result result = Distribution.run(env, "check", "--config", config.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
    }
}
