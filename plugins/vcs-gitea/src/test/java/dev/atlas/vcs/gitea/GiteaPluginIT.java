package dev.atlas.vcs.gitea;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiCredentials;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.api.vcs.ApiTarget;
import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import dev.atlas.api.vcs.WebhookRequest;
import dev.atlas.api.vcs.WebhookVerdict;
import dev.atlas.api.vcs.WebhookVerifier;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.PluginZips;
import dev.atlas.testkit.TestHost;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pf4j.PluginManager;

/** Loads the zip the plugin kit built through the real PF4J plugin manager, as the host does. */
class GiteaPluginIT {
    private PluginManager manager;

    @AfterEach
    void stop() {
        if (manager != null) {
            PluginZips.unloadAll(manager);
        }
    }

    @Test
    void theBuiltZipProvidesTheGiteaFactoryWhichConfiguresAndOpensAProvider() throws Exception {
        manager = PluginZips.loadBuiltPlugin(Path.of("target"));
        List<VcsProviderFactory> factories = PluginZips.ownExtensions(manager, VcsProviderFactory.class, "vcs-gitea");
        assertThat(factories).extracting(VcsProviderFactory::id).containsExactly("gitea");
        VcsProviderFactory factory = factories.get(0);

        ProblemList problems = new ProblemList();
        VcsProvider provider = factory.configure(
            ConfigTrees.app("gitea", "gt-main", "https://gitea.example", "https://gitea.example/api/v1", "hook"),
            ConfigTrees.section("installations[0].apps[0].gitea", Map.of("token", "gt-x"), problems), problems);
        assertThat(problems.lines()).isEmpty();
        assertThat(provider).isInstanceOf(WebhookVerifier.class).isInstanceOf(ApiCredentials.class)
            .isInstanceOf(OAuthLogin.class).isInstanceOf(ApiPolicyDefaults.class);
        provider.open(TestHost.create());
        byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
        WebhookVerdict verdict = ((WebhookVerifier) provider).verify(new WebhookRequest(HttpHeaders.of(
            Map.of("X-Gitea-Signature", List.of(GiteaSignatures.sign("hook", body))), (a, b) -> true), body));
        assertThat(verdict).isInstanceOf(WebhookVerdict.Accepted.class);
        assertThat(((ApiCredentials) provider).authHeaders(ApiTarget.none())).containsEntry("Authorization", "token gt-x");
        // the policy resource is read through the plugin's own class loader, not the test class path's copy
        assertThat(((ApiPolicyDefaults) provider).defaultPolicy()).contains("id: pull-files-list");
        assertThat(provider.getClass().getClassLoader()).isNotSameAs(GiteaPluginIT.class.getClassLoader());
        provider.close();
    }

    @Test
    void theZipHasTheDescriptorAndPacksOnlyThePluginsOwnLibraries() throws Exception {
        assertThat(PluginZips.entryNames(Path.of("target")))
            .contains("plugin.properties", "lib/vcs-gitea.jar", "lib/atlas-plugin-support.jar", "lib/jackson-databind.jar")
            .noneMatch(n -> n.matches("lib/(slf4j-api|atlas-api|pf4j|atlas-core|atlas-webhooks|atlas-proxy|atlas-tasks"
                + "|atlas-identity|atlas-gateway|atlas-policies|atlas-testkit|wiremock).*"));
        Properties descriptor = new Properties();
        try (ZipFile zip = new ZipFile(PluginZips.builtZip(Path.of("target")).toFile());
             InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
            descriptor.load(in);
        }
        assertThat(descriptor.getProperty("plugin.id")).isEqualTo("vcs-gitea");
        assertThat(descriptor.getProperty("plugin.version")).isNotBlank().doesNotContain("${");
    }
}
