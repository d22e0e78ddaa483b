package dev.atlas.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator docs in {@code deploy/} against the launcher: every command they name exists, recipes work. */
class DocsIT {
    /** {@code atlas <command> [<subcommand>]} where the docs show it run: in code, after bin/, exec or kubectl's --. */
    private static final Pattern COMMAND = Pattern.compile("(?:`|bin/|-- |exec |atlas )atlas ([a-z]+)(?: ([a-z]+))?");
    private static final Set<String> WITH_SUBCOMMANDS = Set.of("keys", "webhooks", "policy");

    private static List<Path> pages() throws IOException {
        try (Stream<Path> docs = Files.list(HelmChart.DEPLOY.resolve("docs"))) {
            return Stream.concat(Stream.of(HelmChart.DEPLOY.resolve("README.md")), docs.filter(p -> p.toString()
                .endsWith(".md"))).sorted().toList();
        }
    }

    @Test
    void everyAtlasCommandTheDocsNameHasHelpInTheLauncher() throws IOException {
        Set<String> commands = new TreeSet<>();
        for (Path page : pages()) {
            for (String line : Files.readAllLines(page)) {
                Matcher m = COMMAND.matcher(line);
                while (m.find()) {
                    commands.add(WITH_SUBCOMMANDS.contains(m.group(1)) && m.group(2) != null
                        ? m.group(1) + " " + m.group(2) : m.group(1));
                }
            }
        }
        assertThat(commands).contains("run", "check", "keys rotate", "keys list", "webhooks list", "webhooks replay",
            "patch", "policy test");
        for (String command : commands) {
            List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            Distribution.Result help = Distribution.run(Map.of(), args.toArray(String[]::new));
            assertThat(help.exitCode()).as("atlas " + command + " --help\n" + help.output()).isZero();
        }
    }

    @Test
    void keyFolderRecipeOfTheKubernetesPagePreparesSigningAndSealingKeys(@TempDir Path dir) throws IOException {
        String page = Files.readString(HelmChart.DEPLOY.resolve("docs/kubernetes.md"));
        Matcher recipe = Pattern.compile("cat > keys.yaml <<'EOF'\\n(.*?)\\n\\s*EOF", Pattern.DOTALL).matcher(page);
        assertThat(recipe.find()).isTrue();
        String yaml = recipe.group(1).lines().map(String::strip).reduce("", (a, b) -> a + b + "\n");
        Files.writeString(dir.resolve("keys.yaml"), yaml);
        Distribution.Result rotate = Distribution.run(Map.of(), "keys", "rotate", "--config",
            dir.resolve("keys.yaml").toString());
        assertThat(rotate.exitCode()).as(rotate.output()).isZero();
        try (Stream<Path> keys = Files.list(dir.resolve("keys"))) {
            assertThat(keys.map(p -> p.getFileName().toString()))
                .anySatisfy(name -> assertThat(name).startsWith("signing-").endsWith(".json"))
                .contains("sealing-key.jwk");
        }
    }
}
