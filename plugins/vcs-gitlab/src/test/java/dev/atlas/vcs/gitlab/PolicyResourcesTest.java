package dev.atlas.vcs.gitlab;

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
        Files.writeString(dir.resolve("atlas/policy/gitlab.yaml"), "rest: []\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(PolicyResources.require(loader, GitlabVcsProvider.POLICY)).isEqualTo("rest: []\n");
            assertThat(PolicyResources.read(loader, GitlabVcsProvider.SCHEMA)).isEmpty();
        }
    }

    @Test
    void failsLoudlyWhenThePolicyResourceIsMissing() throws Exception {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThatThrownBy(() -> PolicyResources.require(empty, GitlabVcsProvider.POLICY))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("atlas/policy/gitlab.yaml");
        }
    }

    @Test
    void providerServesThePackedPolicyWhenItIsPresent() {
        assumeTrue(GitlabVcsProvider.class.getClassLoader().getResource(GitlabVcsProvider.POLICY) != null,
            "built-in policy not written yet");
        ApiPolicyDefaults defaults = (ApiPolicyDefaults) new GitlabVcsProviderFactory().configure(
            ConfigTrees.app("gitlab", "gl", "https://gitlab.example", "https://gitlab.example/api/v4", "s"),
            ConfigTrees.section("installations[0].apps[0].gitlab", Map.of("token", "t"), new ProblemList()), new ProblemList());
        assertThat(defaults.defaultPolicy()).isNotBlank();
    }
}
