package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/docker/Dockerfile} checked without a Docker engine: what it copies exists in the repository and in
 * the built distribution, it runs as a non-root user, starts {@code bin/atlas run}, and its JVM flags work.
 */
class DockerfileIT {
    private static final Path REPO = HelmChart.DEPLOY.getParent();
    private static final Path DOCKER = HelmChart.DEPLOY.resolve("docker");
    private static final Pattern FROM = Pattern.compile("(?i)^FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?$");

    /** One instruction, continuation lines joined. */
    record Instruction(String keyword, String arguments) {
    }

    private static List<Instruction> instructions;

    @BeforeAll
    static void parse() throws IOException {
        instructions = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String raw : Files.readAllLines(DOCKER.resolve("Dockerfile"))) {
            String text = raw.strip();
            if (line.isEmpty() && (text.isEmpty() || text.startsWith("#"))) {
                continue;
            }
            if (text.endsWith("\\")) {
                line.append(text, 0, text.length() - 1).append(' ');
                continue;
            }
            line.append(text);
            String[] parts = line.toString().split("\\s+", 2);
            instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : ""));
            line.setLength(0);
        }
    }

    /** The instructions of the last stage: the image that ships. */
    private static List<Instruction> finalStage() {
        int last = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                last = i;
            }
        }
        return instructions.subList(last, instructions.size());
    }

    private static List<String> all(List<Instruction> stage, String keyword) {
        return stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** A path inside the image, mapped to where the build produces it. */
    private static Path fromImage(String path) {
        assertThat(path).startsWith("/opt/atlas/");
        return Distribution.HOME.resolve(path.substring("/opt/atlas/".length()));
    }

    @Test
    void buildsWithAJdk17AndShipsOnAJre17() {
        List<Matcher> froms = instructions.stream().filter(i -> i.keyword().equals("FROM"))
            .map(i -> FROM.matcher("FROM " + i.arguments())).filter(Matcher::matches).toList();
        assertThat(froms).hasSize(2);
        assertThat(froms.get(0).group(1)).contains("17").doesNotContain("jre");
        assertThat(froms.get(0).group(2)).isEqualTo("build");
        assertThat(froms.get(1).group(1)).contains("17").contains("jre");
    }

    @Test
    void everyFileItCopiesExistsInTheRepositoryOrTheBuiltDistribution() {
        List<String> copies = instructions.stream().filter(i -> i.keyword().equals("COPY")).map(Instruction::arguments)
            .toList();
        assertThat(copies).isNotEmpty();
        for (String copy : copies) {
            List<String> words = new ArrayList<>(Arrays.asList(copy.split("\\s+")));
            boolean fromBuild = words.remove("--from=build");
            words.removeIf(w -> w.startsWith("--"));
            for (String source : words.subList(0, words.size() - 1)) {
                Path path = fromBuild ? REPO.resolve(source.replaceFirst("^/src/", "")) : REPO.resolve(source);
                assertThat(path).as("COPY " + copy).exists();
            }
        }
        assertThat(copies).anySatisfy(c -> assertThat(c).contains("--from=build").endsWith("/src/deploy/target/atlas /opt/atlas"));
        assertThat(Distribution.HOME.resolve("bin/atlas")).isExecutable();
        assertThat(Distribution.HOME.resolve("lib")).isDirectory();
        assertThat(Distribution.HOME.resolve("plugins")).isDirectory();
        assertThat(Distribution.HOME.resolve("drivers")).isDirectory();
    }

    @Test
    void runsAsANonRootUser() {
        List<String> users = all(finalStage(), "USER");
        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).split(":")[0];
        assertThat(user).matches("[0-9]+");
        assertThat(Integer.parseInt(user)).isEqualTo(65532);
    }

    @Test
    void entrypointIsTheDistributionsLauncherRunningTheMountedConfig() {
        List<String> entrypoint = all(finalStage(), "ENTRYPOINT");
        assertThat(entrypoint).singleElement().satisfies(e -> assertThat(e).isEqualTo("[\"/opt/atlas/bin/atlas\"]"));
        assertThat(fromImage("/opt/atlas/bin/atlas")).isExecutable();
        assertThat(all(finalStage(), "CMD")).containsExactly("[\"run\", \"--config\", \"/etc/atlas/atlas.yaml\"]");
        // patch jobs run `sh -c "exec atlas patch ..."` in this image: atlas must be on the PATH
        assertThat(all(finalStage(), "ENV")).anySatisfy(env -> assertThat(env).contains("PATH=/opt/atlas/bin:$PATH"));
    }

    @Test
    void makesTheClassDataSharingArchiveForOptAtlasAfterCopyingTheDistributionAndAsRoot() {
        List<Instruction> stage = finalStage();
        int copied = -1;
        int made = -1;
        int user = -1;
        for (int i = 0; i < stage.size(); i++) {
            Instruction instruction = stage.get(i);
            if (instruction.keyword().equals("COPY") && instruction.arguments().endsWith(" /opt/atlas")) {
                copied = i;
            } else if (instruction.keyword().equals("RUN")
                && instruction.arguments().equals("/opt/atlas/bin/atlas-cds-archive")) {
                made = i;
            } else if (instruction.keyword().equals("USER")) {
                user = i;
            }
        }
        assertThat(copied).isNotNegative();
        assertThat(made).as("RUN /opt/atlas/bin/atlas-cds-archive").isGreaterThan(copied).isLessThan(user);
        assertThat(fromImage("/opt/atlas/bin/atlas-cds-archive")).isExecutable();
    }

    @Test
    void pluginDataBesideTheConfigLandsOnTheVolume() {
        // Atlas keeps plugin data in <config folder>/data; the config is /etc/atlas/atlas.yaml
        assertThat(all(finalStage(), "RUN")).anySatisfy(run -> assertThat(run).contains("ln -s /var/lib/atlas /etc/atlas/data"));
    }

    @Test
    void keepsStateOnAVolumeAndChecksLiveness() {
        assertThat(all(finalStage(), "VOLUME")).containsExactly("[\"/var/lib/atlas\"]");
        assertThat(all(finalStage(), "HEALTHCHECK")).singleElement()
            .satisfies(h -> assertThat(h).contains("/health/live").contains("${ATLAS_PORT}"));
        assertThat(all(finalStage(), "EXPOSE")).containsExactly("8080");
    }

    @Test
    void theImageKeepsTheLaunchersDefaultsAndAddsItsOwnJvmFlagsWhichStartThisJava() throws Exception {
        String env = String.join(" ", all(finalStage(), "ENV"));
        assertThat(env).as("JAVA_OPTS would replace the launcher's defaults").doesNotContainPattern("\\bJAVA_OPTS=");
        Matcher opts = Pattern.compile("ATLAS_JAVA_OPTS=\"([^\"]+)\"").matcher(env);
        assertThat(opts.find()).isTrue();
        assertThat(opts.group(1)).contains("-XX:+ExitOnOutOfMemoryError").contains("-XX:-UsePerfData");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(opts.group(1).split("\\s+")));
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(java.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(java.exitValue()).as(new String(java.getInputStream().readAllBytes())).isZero();
        // bin/atlas adds them after its own defaults, which stay
        Distribution.Result run = Distribution.run(Map.of("ATLAS_JAVA_OPTS", opts.group(1) + " -XX:+PrintCommandLineFlags"),
            "--help");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-XX:+UseSerialGC",
            "-XX:MaxHeapFreeRatio=40", "-XX:MaxRAMPercentage=75");
    }

    @Test
    void buildContextLeavesOutBuildOutputAndLocalSecrets() throws IOException {
        List<String> ignored = Files.readAllLines(DOCKER.resolve(".dockerignore"));
        assertThat(ignored).contains("**/target/", "**/.git/", "**/*.pem");
        assertThat(Files.isSymbolicLink(DOCKER.resolve("Dockerfile.dockerignore"))).isTrue();
        assertThat(Files.readAllLines(DOCKER.resolve("Dockerfile.dockerignore"))).isEqualTo(ignored);
    }

    @Test
    void imageCarriesTheVersionTheChartNamesAsAppVersion() throws IOException {
        List<Instruction> stage = finalStage();
        String arg = all(stage, "ARG").stream().filter(a -> a.startsWith("ATLAS_VERSION=")).findFirst().orElseThrow();
        String version = arg.substring("ATLAS_VERSION=".length());
        assertThat(all(stage, "LABEL")).anySatisfy(l -> assertThat(l)
            .contains("org.opencontainers.image.version=\"${ATLAS_VERSION}\""));
        assertThat(Files.readString(HelmChart.CHART.resolve("Chart.yaml"))).contains("appVersion: \"" + version + "\"");
    }
}
