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

    private static ObjectNode withPullRequest(ObjectNode json) {
        json.putObject("pullRequest").put("title", "Fix");
        json.put("proxyUrl", "http://atlas:8080");
        ObjectNode call = json.putObject("pullRequestCall").put("method", "POST").put("path", "/projects/4711/merge_requests")
            .put("urlPointer", "/web_url").put("numberPointer", "/iid");
        call.putObject("body").put("title", "Fix");
        call.putObject("headers").put("X-Installation-ID", "99");
        return json;
    }

    @ParameterizedTest(name = "vcs {0}")
    @CsvSource({"github", "gitea", "svn"})
    void readsAValidTaskWhateverVcsItNames(String vcs) throws Exception {
        ObjectNode json = task();
        json.put("vcs", vcs);
        PatchTask task = PatchTask.parse(json, false);

        assertThat(task.commit().branch()).isEqualTo("atlas/fix");
        assertThat(task.pullRequest()).isNull();
        assertThat(task.pullRequestCall()).isNull();
    }

    @Test
    void defaultsThePullRequestBaseToTheRepositoryRefAndRequiresTheProxyUrl() throws Exception {
        ObjectNode json = task();
        json.with("repository").put("ref", "refs/heads/develop");
        json.putObject("pullRequest").put("title", "Fix");

        assertThatThrownBy(() -> PatchTask.parse(json, false)).hasMessage("proxyUrl: missing or empty");

        json.put("proxyUrl", "http://atlas:8080");
        assertThatThrownBy(() -> PatchTask.parse(json, false)).hasMessageStartingWith("pullRequestCall: missing");

        withPullRequest(json).with("repository").put("ref", "refs/heads/develop");
        ((ObjectNode) json.get("pullRequest")).remove("base");
        assertThat(PatchTask.parse(json, false).pullRequest().base()).isEqualTo("develop");
        assertThat(PatchTask.parse(json, false).pullRequest().body()).isEmpty();
    }

    @Test
    void readsThePullRequestCallAtlasWrote() throws Exception {
        PullRequestCall call = PatchTask.parse(withPullRequest(task()), false).pullRequestCall();

        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/projects/4711/merge_requests");
        assertThat(call.body().toString()).isEqualTo("{\"title\":\"Fix\"}");
        assertThat(call.headers()).containsExactly(java.util.Map.entry("X-Installation-ID", "99"));
        assertThat(call.urlPointer().toString()).isEqualTo("/web_url");
        assertThat(call.numberPointer().toString()).isEqualTo("/iid");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "method|'POST /x'|pullRequestCall.method: must be an HTTP method",
        "method|post|pullRequestCall.method: must be an HTTP method",
        "path|repos/a/b/pulls|pullRequestCall.path: must be a plain REST path",
        "path|/repos/a/b/pulls?x=1|pullRequestCall.path: must be a plain REST path",
        "path|/repos/a/../pulls|pullRequestCall.path: must be a plain REST path",
        "path|/projects/g%2Fp/merge_requests|pullRequestCall.path: must be a plain REST path",
        "path|'/repos/a/b/pulls\r\nX: 1'|pullRequestCall.path: must be a plain REST path",
        "path|//evil.example/pulls|pullRequestCall.path: must be a plain REST path",
        "urlPointer|html_url|pullRequestCall.urlPointer: must be a JSON pointer",
        "headers.Authorization|Bearer x|pullRequestCall.headers: holds a header",
        "headers.x-app-id|other|pullRequestCall.headers: holds a header",
        "headers.Host|evil.example|pullRequestCall.headers: holds a header",
        "headers.X-Bad|'a\nb'|pullRequestCall.headers: holds a header"})
    void refusesAPullRequestCallItCannotSendSafely(String field, String value, String expected) throws Exception {
        ObjectNode json = withPullRequest(task());
        ObjectNode call = (ObjectNode) json.get("pullRequestCall");
        String unescaped = value.replace("\\r", "\r").replace("\\n", "\n");
        if (field.startsWith("headers.")) {
            ((ObjectNode) call.get("headers")).put(field.substring("headers.".length()), unescaped);
        } else {
            call.put(field, unescaped);
        }

        assertThatThrownBy(() -> PatchTask.parse(json, false)).hasMessageStartingWith(expected);
    }

    @Test
    void refusesAPullRequestCallBodyThatIsNotAnObject() throws Exception {
        ObjectNode json = withPullRequest(task());
        ((ObjectNode) json.get("pullRequestCall")).put("body", "{}");

        assertThatThrownBy(() -> PatchTask.parse(json, false)).hasMessageStartingWith("pullRequestCall.body:");
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
