package dev.atlas.patcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PatchTaskTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private ObjectNode task() throws Exception {
        return (ObjectNode) mapper.readTree("""
            {"taskId": "t-1", "type": "patch", "appId": "gh-main",
             "repository": {"cloneUrl": "https://github.example/acme/widgets.git", "ref": "main",
                            "sha": "0123456789abcdef0123456789abcdef01234567"},
             "resultUrl": "https://asgard.example/results/t-1",
             "patch": "diff",
             "commit": {"branch": "atlas/fix", "message": "Fix", "author": {"name": "Bot", "email": "bot@example.test"}}}
            """);
    }

    @Test
    void readsAValidTaskWithGithubAsTheDefaultVcs() throws Exception {
        PatchTask task = PatchTask.parse(task(), false);

        assertThat(task.vcs()).isEqualTo(Vcs.GITHUB);
        assertThat(task.commit().branch()).isEqualTo("atlas/fix");
        assertThat(task.pullRequest()).isNull();
    }

    @Test
    void defaultsThePullRequestBaseToTheRepositoryRefAndRequiresTheProxyUrl() throws Exception {
        ObjectNode json = task();
        json.with("repository").put("ref", "refs/heads/develop");
        json.putObject("pullRequest").put("title", "Fix");

        assertThatThrownBy(() -> PatchTask.parse(json, false)).hasMessage("proxyUrl: missing or empty");

        json.put("proxyUrl", "http://atlas:8080");
        assertThat(PatchTask.parse(json, false).pullRequest().base()).isEqualTo("develop");
        assertThat(PatchTask.parse(json, false).pullRequest().body()).isEmpty();
    }

    @Test
    void readsTheRepositoryIdAtlasWroteAndRefusesOneThatIsNotNumeric() throws Exception {
        ObjectNode json = task();
        json.put("repositoryId", "4711");
        assertThat(PatchTask.parse(json, false).repositoryId()).isEqualTo("4711");

        json.put("repositoryId", "g%2Fp");
        assertThatThrownBy(() -> PatchTask.parse(json, false)).hasMessageStartingWith("repositoryId: must be a numeric id");
        json.put("repositoryId", "42/../7");
        assertThatThrownBy(() -> PatchTask.parse(json, false)).hasMessageStartingWith("repositoryId:");
    }

    @Test
    void acceptsAMissingPatchFieldWhenPatchDiffIsPresent() throws Exception {
        ObjectNode json = task();
        json.remove("patch");

        assertThat(PatchTask.parse(json, true).patch()).isNull();
        assertThatThrownBy(() -> PatchTask.parse(json, false)).hasMessageStartingWith("patch: missing");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "taskId|'bad id\r\nX-Injected: 1'|taskId: must match",
        "type|analysis|type: must be \"patch\"",
        "vcs|svn|vcs: unknown VCS id",
        "resultUrl|ftp://asgard.example/r|resultUrl: must be an absolute http(s) URL",
        "resultUrl|https://user:pw@asgard.example/r|resultUrl: must not contain credentials",
        "repository.sha|abc123|repository.sha: must be a 40-character hex commit id",
        "repository.ref|'main..x'|repository.ref: not a valid ref name",
        "repository.cloneUrl|ssh://git@github.example/a/b.git|repository.cloneUrl: scheme must be https, http or file",
        "repository.cloneUrl|https://tok@github.example/a/b.git|repository.cloneUrl: must not contain credentials",
        "commit.branch|'bad branch name'|commit.branch: not a valid branch name",
        "commit.branch|refs/tags/v1|commit.branch: not a valid branch name",
        "commit.author.email|'a>b'|commit.author: name and email must not contain"})
    void refusesAnInvalidFieldNamingIt(String field, String value, String expected) throws Exception {
        ObjectNode json = task();
        String[] path = field.split("\\.");
        ObjectNode parent = json;
        for (int i = 0; i < path.length - 1; i++) {
            parent = (ObjectNode) parent.get(path[i]);
        }
        parent.put(path[path.length - 1], value);

        assertThatThrownBy(() -> PatchTask.parse(json, false))
            .isInstanceOfSatisfying(PatchFailure.class, failure -> assertThat(failure.status()).isEqualTo(Status.ERROR))
            .hasMessageStartingWith(expected);
    }

    @Test
    void refusesANonStringFieldNamingIt() throws Exception {
        ObjectNode json = task();
        json.with("commit").put("message", 42);

        assertThatThrownBy(() -> PatchTask.parse(json, false)).hasMessage("commit.message: must be a string");
    }

    @Test
    void acceptsAFullBranchRefAndKeepsTheShortName() throws Exception {
        ObjectNode json = task();
        json.with("commit").put("branch", "refs/heads/atlas/x");

        assertThat(PatchTask.parse(json, false).commit().branch()).isEqualTo("atlas/x");
    }
}
