package dev.atlas.vcs.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.testkit.ConfigTrees;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyResourcesTest {

    @Test
    void readsAPolicyResourceThroughTheGivenClassLoader(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("atlas/policy"));
        Files.writeString(dir.resolve("atlas/policy/github.yaml"), "rest: []\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(PolicyResources.require(loader, GithubVcsProvider.POLICY)).isEqualTo("rest: []\n");
        }
    }

    @Test
    void failsLoudlyWhenThePolicyResourceIsMissing() throws Exception {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThatThrownBy(() -> PolicyResources.require(empty, GithubVcsProvider.POLICY))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("atlas/policy/github.yaml");
        }
    }

    @Test
    void providerServesThePackedPolicyAndSchemaWhenTheyArePresent() {
        ClassLoader own = GithubVcsProvider.class.getClassLoader();
        assumeTrue(own.getResource(GithubVcsProvider.POLICY) != null, "built-in policy not written yet");
        ApiPolicyDefaults defaults = (ApiPolicyDefaults) new GithubVcsProviderFactory().configure(
            ConfigTrees.app("github", "gh", "https://github.com", "https://api.github.com", "s"),
            ConfigTrees.section("installations[0].apps[0].github",
                Map.of("appId", "1", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)), new ProblemList()),
            new ProblemList());
        assertThat(defaults.defaultPolicy()).isNotBlank();
        assertThat(defaults.graphqlSchema()).hasValueSatisfying(s -> assertThat(s).isNotBlank());
    }
}
