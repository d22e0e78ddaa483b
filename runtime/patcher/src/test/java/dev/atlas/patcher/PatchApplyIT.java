package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the patcher applies, what it refuses, and that a refusal leaves the remote untouched. */
class PatchApplyIT {
    @RegisterExtension
    static final WireMockExtension CLOUD = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @TempDir
    Path tmp;

    PatchHarness run;

    @BeforeEach
    void setUp() throws IOException {
        run = new PatchHarness(tmp, CLOUD);
    }

    @Test
    void appliesNewDeletedRenamedAndModeChangedFiles() throws IOException {
        ObjectId base = run.remote.commit("main", run.base, Map.of(
            "greeting.txt", PatchHarness.GREETING,
            "old/name.txt", "moved\ncontent\n",
            "gone.txt", "bye bye\n",
            "run.sh", "echo hi\n"), "fixture");
        run.task.with("repository").put("sha", base.name());
        run.patch = """
            diff --git a/added/new.txt b/added/new.txt
            new file mode 100644
            index 0000000..3b18e51
            --- /dev/null
            +++ b/added/new.txt
            @@ -0,0 +1,2 @@
            +brand
            +new
            diff --git a/gone.txt b/gone.txt
            deleted file mode 100644
            index %s..0000000
            --- a/gone.txt
            +++ /dev/null
            @@ -1 +0,0 @@
            -bye bye
            diff --git a/old/name.txt b/new/name.txt
            similarity index 60%%
            rename from old/name.txt
            rename to new/name.txt
            index 1111111..2222222 100644
            --- a/old/name.txt
            +++ b/new/name.txt
            @@ -1,2 +1,2 @@
             moved
            -content
            +contents
            diff --git a/run.sh b/run.sh
            old mode 100644
            new mode 100755
            """.formatted(blobId("bye bye\n").abbreviate(7).name());

        assertThat(run.run()).as(run.out).isZero();

        assertThat(run.remote.files(PatchHarness.BRANCH)).isEqualTo(Map.of(
            "greeting.txt", PatchHarness.GREETING,
            "added/new.txt", "brand\nnew\n",
            "new/name.txt", "moved\ncontents\n",
            "run.sh", RemoteRepo.EXECUTABLE + "echo hi\n"));
    }

    @Test
    void appliesAPlainUnifiedDiffAndKeepsTheExecutableBit() throws IOException {
        ObjectId base = run.remote.commit("main", run.base, Map.of("tool.sh", RemoteRepo.EXECUTABLE + "echo one\n"), "fixture");
        run.task.with("repository").put("sha", base.name());
        run.patch = """
            --- a/tool.sh
            +++ b/tool.sh
            @@ -1 +1 @@
            -echo one
            +echo two
            """;

        assertThat(run.run()).as(run.out).isZero();

        assertThat(run.remote.files(PatchHarness.BRANCH)).isEqualTo(Map.of("tool.sh", RemoteRepo.EXECUTABLE + "echo two\n"));
    }

    @Test
    void appliesAFiveMegabytePatch() throws IOException {
        StringBuilder patch = new StringBuilder("diff --git a/big.txt b/big.txt\nnew file mode 100644\n--- /dev/null\n+++ b/big.txt\n");
        int lines = 100_000;
        patch.append("@@ -0,0 +1,").append(lines).append(" @@\n");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            String line = "line %06d of a generated file that makes the patch large enough".formatted(i);
            patch.append('+').append(line).append('\n');
            expected.append(line).append('\n');
        }
        run.patch = patch.toString();
        assertThat(run.patch.length()).isGreaterThan(5_000_000);

        assertThat(run.run()).as(run.out).isZero();

        assertThat(run.remote.files(PatchHarness.BRANCH).get("big.txt")).isEqualTo(expected.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"../x", "/etc/passwd", ".git/config", "a/../../x", ".GIT/hooks/pre-commit", "a/.git/hooks/x",
        ".gitmodules", "GIT~1/config", ".git./config", "a//b", "./x", "a\\..\\..\\x"})
    void refusesAPathThatEscapesTheTreeOrTouchesGitAndWritesNothing(String path) throws IOException {
        run.patch = "diff --git a/" + path + " b/" + path + "\nnew file mode 100644\n--- /dev/null\n+++ b/" + path
            + "\n@@ -0,0 +1 @@\n+owned\n";

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("patch_failed");
        assertThat(run.reported().path("detail").asText()).startsWith("refused path");
        assertNothingWritten();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--- /etc/passwd\n+++ /etc/passwd\n", "--- a/x.txt\n+++ b/../../x.txt\n"})
    void refusesEscapingPathsInPlainUnifiedDiffs(String headers) throws IOException {
        run.patch = headers + "@@ -1 +1 @@\n-root\n+owned\n";

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("patch_failed");
        assertNothingWritten();
    }

    @Test
    void refusesARenameOutOfTheTree() throws IOException {
        run.patch = "diff --git a/greeting.txt b/../greeting.txt\nsimilarity index 100%\n"
            + "rename from greeting.txt\nrename to ../greeting.txt\n";

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("patch_failed");
        assertNothingWritten();
    }

    @Test
    void refusesSymbolicLinks() throws IOException {
        run.patch = """
            diff --git a/link b/link
            new file mode 120000
            index 0000000..3b18e51
            --- /dev/null
            +++ b/link
            @@ -0,0 +1 @@
            +/etc/passwd
            \\ No newline at end of file
            """;

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("patch_failed");
        assertThat(run.reported().path("detail").asText()).contains("symbolic links are refused");
        assertNothingWritten();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "diff --git a/logo.png b/logo.png\nindex 1111111..2222222 100644\nBinary files a/logo.png and b/logo.png differ\n",
        "diff --git a/e.bin b/e.bin\nnew file mode 100644\n"
            + "index 0000000000000000000000000000000000000000..e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\n"
            + "GIT binary patch\nliteral 0\nHcmV?d00001\n\nliteral 0\nHcmV?d00001\n\n"})
    void refusesBinaryPatchesWithAClearDetail(String patch) throws IOException {
        run.patch = patch;

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("patch_failed");
        assertThat(run.reported().path("detail").asText()).startsWith("binary patches are not supported");
        assertNothingWritten();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "this is not a patch\n",
        "diff --git a/greeting.txt b/greeting.txt\n--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1,3 +1,3 @@\n-hello\n",
        "diff --git a/greeting.txt b/greeting.txt\n--- a/greeting.txt\n+++ b/greeting.txt\n@@ -x +y @@\n-hello\n+bye\n",
        ""})
    void refusesAMalformedPatch(String patch) throws IOException {
        run.patch = patch;

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("patch_failed");
        assertThat(run.reported().path("detail").asText()).startsWith("malformed patch");
        assertNothingWritten();
    }

    @Test
    void writesNothingWhenALaterFileOfThePatchFails() throws IOException {
        run.patch = PatchHarness.GREETING_PATCH + """
            diff --git a/src/app.txt b/src/app.txt
            --- a/src/app.txt
            +++ b/src/app.txt
            @@ -1 +1 @@
            -not what is there
            +changed
            """;

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("patch_failed");
        assertThat(run.reported().path("detail").asText()).contains("src/app.txt");
        assertNothingWritten();
    }

    @Test
    void refusesToDeleteAFileThatChangedSinceThePatchWasMade() throws IOException {
        run.patch = "diff --git a/src/app.txt b/src/app.txt\ndeleted file mode 100644\n--- a/src/app.txt\n+++ /dev/null\n"
            + "@@ -1 +0,0 @@\n-older app\n";

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.status()).isEqualTo("patch_failed");
        assertThat(run.reported().path("detail").asText()).contains("changed since the patch was made");
    }

    @Test
    void refusesToAddAFileThatAlreadyExists() throws IOException {
        run.patch = "diff --git a/src/app.txt b/src/app.txt\nnew file mode 100644\n--- /dev/null\n+++ b/src/app.txt\n"
            + "@@ -0,0 +1 @@\n+prepended\n";

        assertThat(run.run()).isEqualTo(1);

        assertThat(run.reported().path("detail").asText()).contains("already exists");
    }

    private void assertNothingWritten() throws IOException {
        assertThat(run.remote.branches()).containsExactly("refs/heads/main");
        assertThat(run.remote.head("main")).isEqualTo(run.base);
        assertThat(tmp.resolve("x")).doesNotExist();
        assertThat(tmp.resolve("work").resolve("x")).doesNotExist();
        try (var left = Files.list(run.workspaceRoot())) {
            assertThat(left).isEmpty();
        } catch (java.nio.file.NoSuchFileException e) {
            // refused before a workspace was even created
        }
    }

    private static ObjectId blobId(String content) {
        try (ObjectInserter.Formatter formatter = new ObjectInserter.Formatter()) {
            return formatter.idFor(Constants.OBJ_BLOB, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
