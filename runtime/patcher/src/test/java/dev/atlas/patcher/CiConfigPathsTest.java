package dev.atlas.patcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which paths configure a CI system, and how {@code tasks.push.allowPaths} lets one through. */
class CiConfigPathsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {".github/workflows/x.yml", ".github/workflows/sub/deep.yaml", ".gitlab-ci.yml",
        ".circleci/config.yml", "Jenkinsfile", "azure-pipelines.yml", "bitbucket-pipelines.yml", ".travis.yml",
        ".buildkite/pipeline.yml", ".drone.yml", ".GitHub/Workflows/x.yml", ".GITLAB-CI.YML", "jenkinsfile"})
    void refusesEveryCiConfigurationPathWhateverItsCase(String path) {
        assertThat(CiConfigPaths.refusal(path, List.of())).hasValueSatisfying(reason -> assertThat(reason)
            .startsWith("CI configuration may not be pushed: " + path));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"src/main.c", "docs/.gitlab-ci.yml.md", ".github/CODEOWNERS", "README.md",
        "sub/Jenkinsfile.txt", ".github/workflowsx/a.yml"})
    void letsOrdinaryPathsThrough(String path) {
        assertThat(CiConfigPaths.refusal(path, List.of())).isEmpty();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({".github/workflows/lint.yml, .github/workflows/lint.yml, true",
        ".github/workflows/lint.yml, .github/workflows/, true",
        ".github/workflows/deploy.yml, .github/workflows/lint.yml, false",
        ".gitlab-ci.yml, .gitlab-ci.yml, true",
        ".gitlab-ci.yml, .gitlab-ci, false"})
    void allowsOnlyWhatTheAdminListed(String path, String allowed, boolean passes) {
        assertThat(CiConfigPaths.refusal(path, List.of(allowed)).isEmpty()).isEqualTo(passes);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "diff --git a/.gitlab-ci.yml b/.gitlab-ci.yml\nnew file mode 100644\n--- /dev/null\n+++ b/.gitlab-ci.yml\n"
            + "@@ -0,0 +1 @@\n+job: {script: env}\n",
        "diff --git a/.github/workflows/x.yml b/.github/workflows/x.yml\n--- a/.github/workflows/x.yml\n"
            + "+++ b/.github/workflows/x.yml\n@@ -1 +1 @@\n-a\n+b\n",
        "diff --git a/Jenkinsfile b/Jenkinsfile\ndeleted file mode 100644\n--- a/Jenkinsfile\n+++ /dev/null\n"
            + "@@ -1 +0,0 @@\n-a\n",
        "diff --git a/ci.yml b/.drone.yml\nsimilarity index 100%\nrename from ci.yml\nrename to .drone.yml\n"})
    void refusesAPatchThatAddsChangesDeletesOrRenamesCiConfiguration(String diff) {
        assertThatThrownBy(() -> PatchGuard.checkCiConfig(PatchGuard.parseAndCheck(
            diff.getBytes(StandardCharsets.UTF_8)), List.of()))
            .isInstanceOf(PatchFailure.class).hasMessageContaining("CI configuration may not be pushed");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {".github/workflows/x.yml"})
    void letsAListedCiPathThroughAPatch(String path) throws Exception {
        String diff = "diff --git a/" + path + " b/" + path + "\n--- a/" + path + "\n+++ b/" + path
            + "\n@@ -1 +1 @@\n-a\n+b\n";
        PatchGuard.checkCiConfig(PatchGuard.parseAndCheck(diff.getBytes(StandardCharsets.UTF_8)), List.of(path));
        assertThat(CiConfigPaths.refusal(path, List.of(path))).isEmpty();
    }
}
