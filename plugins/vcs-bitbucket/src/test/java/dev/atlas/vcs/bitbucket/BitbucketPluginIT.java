package dev.atlas.vcs.bitbucket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.PluginZips;
import dev.atlas.testkit.TestHost;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pf4j.PluginManager;

/** Loads the built plugin zip through the real PF4J plugin manager, as the host does. */
class BitbucketPluginIT {
    private PluginManager manager;

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.unloadPlugins();
        }
    }

    @Test
    void theBuiltZipProvidesBothBitbucketFactoriesWhichConfigureAndOpenProviders() throws Exception {
        manager = PluginZips.loadBuiltPlugin(Path.of("target"));
        List<VcsProviderFactory> factories = PluginZips.ownExtensions(manager, VcsProviderFactory.class, "vcs-bitbucket");
        assertThat(factories).extracting(VcsProviderFactory::id).containsExactlyInAnyOrder("bitbucket", "bitbucket-dc");
        for (VcsProviderFactory factory : factories) {
            assertThat(manager.whichPlugin(factory.getClass()).getPluginId()).isEqualTo("vcs-bitbucket");
            assertThat(factory.configSection()).isEqualTo("bitbucket");
            ProblemList problems = new ProblemList();
            VcsProvider provider = factory.configure(
                ConfigTrees.app(factory.id(), "bb", "https://bitbucket.example", "https://bitbucket.example/rest/api/1.0", "hook"),
                ConfigTrees.section("installations[0].apps[0].bitbucket", Map.of("token", "t"), problems), problems);
            assertThat(problems.lines()).isEmpty();
            assertThat(provider).isInstanceOf(WebhookVerifier.class).isInstanceOf(ApiCredentials.class)
                .isInstanceOf(OAuthLogin.class);
            provider.open(TestHost.create());
            provider.close();
        }
    }

    @Test
    void theZipPacksTheSharedPluginSupportButNothingTheHostProvides() throws Exception {
        // plugin-support is not a host class: each plugin loads its own copy from lib/
        assertThat(PluginZips.entryNames(Path.of("target"))).contains("lib/atlas-plugin-support.jar", "lib/vcs-bitbucket.jar")
            .noneMatch(n -> n.matches("lib/(slf4j-api|atlas-api|pf4j).*"));
    }
}
