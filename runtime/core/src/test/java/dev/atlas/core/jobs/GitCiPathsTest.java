package dev.atlas.core.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitCiPathsTest {
    @ParameterizedTest(name = "{0} refused: {1}")
    @CsvSource({
        ".github/workflows/x.yml, true",
        ".github/workflows/deep/x.yaml, true",
        ".GITHUB/WORKFLOWS/x.yml, true",
        ".gitlab-ci.yml, true",
        ".circleci/config.yml, true",
        "Jenkinsfile, true",
        "azure-pipelines.yml, true",
        "bitbucket-pipelines.yml, true",
        ".travis.yml, true",
        ".buildkite/pipeline.yml, true",
        ".drone.yml, true",
        ".github/CODEOWNERS, false",
        "docs/.gitlab-ci.yml, false",
        "src/Jenkinsfile.md, false",
        "README.md, false",
    })
    void refusesCiConfigurationPaths(String path, boolean refused) {
        assertThat(GitCiPaths.refusal(path, List.of()).isPresent()).isEqualTo(refused);
    }

    @ParameterizedTest(name = "{0} allowed by {1}")
    @CsvSource({
        ".gitlab-ci.yml, .gitlab-ci.yml",
        ".github/workflows/lint.yml, .github/workflows/lint.yml",
        ".github/workflows/lint.yml, .github/workflows/",
    })
    void allowsWhatAllowPathsLists(String path, String allowed) {
        assertThat(GitCiPaths.refusal(path, List.of(allowed))).isEmpty();
    }

    @ParameterizedTest(name = "{0} still refused with {1}")
    @CsvSource({
        ".github/workflows/deploy.yml, .github/workflows/lint.yml",
        ".github/workflows/x.yml, .github/work",
        ".gitlab-ci.yml, .gitlab-ci",
    })
    void allowsNothingBeyondTheListedPaths(String path, String allowed) {
        assertThat(GitCiPaths.refusal(path, List.of(allowed))).isPresent();
    }
}
