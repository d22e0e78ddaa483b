package dev.atlas.vcs.gitlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.ApiPolicyDefaults;
import dev.atlas.testkit.ConfigTrees;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitlabPolicyDefaultsTest {

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
