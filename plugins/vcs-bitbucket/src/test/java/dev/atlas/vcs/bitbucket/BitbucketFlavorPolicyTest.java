package dev.atlas.vcs.bitbucket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.plugin.support.PolicyResources;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BitbucketFlavorPolicyTest {

    @Test
    void readsEachFlavoursPolicyThroughTheGivenClassLoader(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("atlas/policy"));
        Files.writeString(dir.resolve("atlas/policy/bitbucket.yaml"), "cloud\n");
        Files.writeString(dir.resolve("atlas/policy/bitbucket-dc.yaml"), "dc\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(PolicyResources.require(loader, BitbucketFlavor.CLOUD.policyResource())).isEqualTo("cloud\n");
            assertThat(PolicyResources.require(loader, BitbucketFlavor.DATA_CENTER.policyResource())).isEqualTo("dc\n");
        }
    }
}
