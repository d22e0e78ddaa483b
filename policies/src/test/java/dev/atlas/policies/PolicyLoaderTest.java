package dev.atlas.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyLoaderTest {

    private static final String BUILT_IN = onlyRule("built-in");
    private static final String VCS_FILE = onlyRule("vcs-file");
    private static final String APP_FILE = onlyRule("app-file");

    @TempDir
    Path dir;

    @Test
    void prefersTheAppsOwnFile() throws Exception {
        Files.writeString(dir.resolve("gh-main.yaml"), APP_FILE);
        Files.writeString(dir.resolve("github.yaml"), VCS_FILE);

        LoadedPolicy loaded = new PolicyLoader(Optional.of(dir)).load("gh-main", "github", BUILT_IN, Optional.empty());

        assertThat(loaded.origin()).isEqualTo(dir.resolve("gh-main.yaml").toString());
        assertThat(ruleFor(loaded)).isEqualTo("app-file");
        assertThat(loaded.policy().source()).isEqualTo(loaded.origin());
    }

    @Test
    void fallsBackToTheVcsFile() throws Exception {
        Files.writeString(dir.resolve("github.yaml"), VCS_FILE);

        LoadedPolicy loaded = new PolicyLoader(Optional.of(dir)).load("gh-main", "github", BUILT_IN, Optional.empty());

        assertThat(ruleFor(loaded)).isEqualTo("vcs-file");
    }

    @Test
    void fallsBackToTheBuiltInPolicy() throws Exception {
        LoadedPolicy loaded = new PolicyLoader(Optional.of(dir)).load("gh-main", "github", BUILT_IN, Optional.empty());

        assertThat(loaded.origin()).isEqualTo("built-in:github");
        assertThat(ruleFor(loaded)).isEqualTo("built-in");
    }

    @Test
    void usesTheBuiltInPolicyWithoutAPolicyFolder() throws Exception {
        LoadedPolicy loaded = new PolicyLoader(Optional.empty()).load("gh-main", "github", BUILT_IN, Optional.empty());

        assertThat(loaded.origin()).isEqualTo("built-in:github");
    }

    @Test
    void usesASiblingSchemaSubsetOverThePluginsOne() throws Exception {
        Files.writeString(dir.resolve("gh-main.yaml"), "version: 1\ngraphql: {allow: [Query.extra]}\n");
        Files.writeString(dir.resolve("gh-main.graphqls"), "type Query { extra: String }\n");

        LoadedPolicy loaded = new PolicyLoader(Optional.of(dir)).load("gh-main", "github", BUILT_IN,
            Optional.of(PolicyFixtures.schema()));

        assertThat(loaded.policy().checkGraphql("{\"query\": \"{ extra }\"}").allowed()).isTrue();
    }

    @Test
    void reportsAnInvalidOverrideWithItsPath() throws Exception {
        Files.writeString(dir.resolve("github.yaml"), "version: 1\nrest: {rulez: []}\n");

        assertThatThrownBy(() -> new PolicyLoader(Optional.of(dir)).load("gh-main", "github", BUILT_IN, Optional.empty()))
            .isInstanceOf(PolicyException.class)
            .hasMessageStartingWith(dir.resolve("github.yaml") + ": rest.rulez: unknown key");
    }

    @ParameterizedTest
    @CsvSource({"../etc/passwd", "a/b", ".hidden", "''", "a b"})
    void refusesIdsThatCouldNameAnotherFile(String appId) {
        assertThatThrownBy(() -> new PolicyLoader(Optional.of(dir)).load(appId, "github", BUILT_IN, Optional.empty()))
            .isInstanceOf(PolicyException.class)
            .hasMessageContaining("cannot name a policy file");
    }

    private static String onlyRule(String id) {
        return "version: 1\nrest: {accept: [application/json], rules: [{id: " + id + ", method: GET, path: /a}]}\n";
    }

    private static String ruleFor(LoadedPolicy loaded) {
        return loaded.policy().checkRest("GET", "/a", null, List.of(), Map.of()).rule();
    }
}
