package dev.atlas.patcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PatchGuardTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"../x", "/etc/passwd", "C:/Windows/x", ".git/config", ".GIT/config", "a/.Git/hooks/x", "a/../../x",
        "./a", "a/./b", "a//b", "a/", ".gitmodules", "sub/.GITMODULES", "GIT~1/config", ".git./config", ".git /config",
        "a\\b", "tab\there", ".g\u200cit/config", "a/b/.."})
    void refusesUnsafePaths(String path) {
        assertThatThrownBy(() -> PatchGuard.checkPath(path))
            .isInstanceOfSatisfying(PatchFailure.class, failure -> assertThat(failure.status()).isEqualTo(Status.PATCH_FAILED))
            .hasMessageStartingWith("refused path");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"README.md", "src/main/App.java", ".github/workflows/ci.yml", ".gitignore", ".gitattributes",
        "dir.git/file", "a/..b/c", "my.git", "unicode/é.txt"})
    void acceptsOrdinaryPaths(String path) {
        assertThatCode(() -> PatchGuard.checkPath(path)).doesNotThrowAnyException();
    }

    @Test
    void refusesAPatchThatTouchesTheSamePathTwice() {
        String section = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n";

        assertThatThrownBy(() -> PatchGuard.parseAndCheck((section + section).getBytes(StandardCharsets.UTF_8)))
            .hasMessageStartingWith("path appears more than once");
    }

    @Test
    void refusesAModificationWhoseHeadersNameDifferentFiles() {
        String patch = "diff --git a/f b/f\n--- a/f\n+++ b/g\n@@ -1 +1 @@\n-a\n+b\n";

        assertThatThrownBy(() -> PatchGuard.parseAndCheck(patch.getBytes(StandardCharsets.UTF_8)))
            .hasMessageStartingWith("file names in the headers disagree");
    }

    @Test
    void refusesSubmoduleEntries() {
        String patch = "diff --git a/sub b/sub\nnew file mode 160000\nindex 0000000..3b18e51\n--- /dev/null\n+++ b/sub\n"
            + "@@ -0,0 +1 @@\n+Subproject commit 3b18e512dba79e4c8300dd08aeb37f8e728b8dad\n";

        assertThatThrownBy(() -> PatchGuard.parseAndCheck(patch.getBytes(StandardCharsets.UTF_8)))
            .hasMessageStartingWith("submodule entries are refused");
    }

    @Test
    void refusesQuotedPathsThatDecodeToGit() {
        String patch = "diff --git \"a/\\056git/config\" \"b/\\056git/config\"\n--- \"a/\\056git/config\"\n+++ \"b/\\056git/config\"\n"
            + "@@ -1 +1 @@\n-a\n+b\n";

        assertThatThrownBy(() -> PatchGuard.parseAndCheck(patch.getBytes(StandardCharsets.UTF_8)))
            .hasMessageStartingWith("refused path (touches .git)");
    }

    @Test
    void acceptsAGitStyleModification() {
        String patch = "diff --git a/f.txt b/f.txt\nindex 1111111..2222222 100644\n--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\n-a\n+b\n";

        assertThatCode(() -> PatchGuard.parseAndCheck(patch.getBytes(StandardCharsets.UTF_8))).doesNotThrowAnyException();
    }
}
