package dev.atlas.vcs.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.GraphqlApi;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.PluginZips;
import dev.atlas.testkit.TestHost;
import java.net.http.HttpHeaders;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pf4j.PluginManager;

/** Loads the built plugin zip through the real PF4J plugin manager, as the host does. */
class GithubPluginIT {
    private PluginManager manager;

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.unloadPlugins();
        }
    }

    @Test
    void theBuiltZipProvidesTheGithubFactoryWhichConfiguresAndOpensAProvider() throws Exception {
        manager = PluginZips.loadBuiltPlugin(Path.of("target"));
        List<VcsProviderFactory> factories = PluginZips.ownExtensions(manager, VcsProviderFactory.class, "vcs-github");
        assertThat(factories).extracting(VcsProviderFactory::id).containsExactly("github");
        VcsProviderFactory factory = factories.get(0);
        assertThat(manager.whichPlugin(factory.getClass()).getPluginId()).isEqualTo("vcs-github");
        assertThat(factory.getClass().getClassLoader()).isNotSameAs(VcsProviderFactory.class.getClassLoader());

        ProblemList problems = new ProblemList();
        VcsProvider provider = factory.configure(
            ConfigTrees.app("github", "gh-main", "https://github.com", "https://api.github.com", "hook"),
            ConfigTrees.section("installations[0].apps[0].github",
                Map.of("appId", "12345", "privateKey", TestKeys.pkcs1Pem(TestKeys.RSA_2048)), problems), problems);
        assertThat(problems.lines()).isEmpty();
        assertThat(provider).isInstanceOf(WebhookVerifier.class).isInstanceOf(ApiCredentials.class)
            .isInstanceOf(OAuthLogin.class);
        // opening builds the JWT signer with nimbus, which must come from the zip's lib/
        provider.open(TestHost.create());
        assertThat(((GraphqlApi) provider).graphqlEndpoint().toString()).isEqualTo("https://api.github.com/graphql");
        assertThat(((WebhookVerifier) provider).verify(new WebhookRequest(HttpHeaders.of(Map.of(), (a, b) -> true),
            new byte[0]))).isEqualTo(WebhookVerdict.rejected("missing_signature"));
        provider.close();
    }

    @Test
    void theZipPacksTheSharedPluginSupportButNothingTheHostProvides() throws Exception {
        // plugin-support is not a host class: each plugin loads its own copy from lib/
        assertThat(PluginZips.entryNames(Path.of("target"))).contains("lib/atlas-plugin-support.jar", "lib/vcs-github.jar")
            .noneMatch(n -> n.matches("lib/(slf4j-api|atlas-api|pf4j).*"));
    }
}
