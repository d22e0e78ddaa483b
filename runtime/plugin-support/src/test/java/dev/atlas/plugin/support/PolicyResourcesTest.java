package dev.atlas.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyResourcesTest {

    @Test
    void readsAPolicyResourceThroughTheGivenClassLoader(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("atlas/policy"));
        Files.writeString(dir.resolve("atlas/policy/github.yaml"), "rest: []\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(PolicyResources.require(loader, "atlas/policy/github.yaml")).isEqualTo("rest: []\n");
            assertThat(PolicyResources.read(loader, "atlas/policy/gitlab.graphqls")).isEmpty();
        }
    }

    @Test
    void failsLoudlyWhenThePolicyResourceIsMissing() throws Exception {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThatThrownBy(() -> PolicyResources.require(empty, "atlas/policy/github.yaml"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("atlas/policy/github.yaml");
        }
    }
}
