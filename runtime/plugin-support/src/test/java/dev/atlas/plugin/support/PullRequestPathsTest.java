package dev.atlas.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PullRequestPathsTest {

    @Test
    void splitsARepositoryPathAndJoinsItsLastTwoSegments() {
        assertThat(PullRequestPaths.segments("group/sub/project")).containsExactly("group", "sub", "project");
        assertThat(PullRequestPaths.lastTwo(PullRequestPaths.segments("scm/PRJ/repo"))).isEqualTo("PRJ/repo");
    }

    @ParameterizedTest(name = "path [{0}]")
    @ValueSource(strings = {"widgets", "acme/../x", "acme/./x", "acme//x", "acme/wid%2Fgets", "acme/x?y", "acme/x y",
        "/acme/x", ""})
    void refusesAPathThatCannotNameAPullRequest(String path) {
        assertThatThrownBy(() -> PullRequestPaths.segments(path)).isInstanceOf(IllegalArgumentException.class);
    }
}
