package dev.atlas.vcs.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.testkit.ConfigTrees;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GithubPolicyDefaultsTest {

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
