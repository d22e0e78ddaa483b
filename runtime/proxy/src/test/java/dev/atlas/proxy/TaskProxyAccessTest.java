package dev.atlas.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.keys.SigningKeys;
import dev.atlas.core.tokens.Task;
import dev.atlas.core.tokens.TaskTokens;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The task-scoped proxy token of patch jobs: accepted for its own repository's pull-request call only. Every other
 * use is refused: another repository, method, app or path, a query, GraphQL, an expired token, and tokens of other
 * kinds signed with the same keys (the result token, meant for the cloud). The allowed call is the one the app's plugin
 * built (the token's {@code pr_method} and {@code pr_path}); the proxy knows no VCS's paths.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskProxyAccessTest {
    private static final URI ATLAS = URI.create("https://atlas.acme.example");
    private static final URI CLOUD = URI.create("https://asgard.example");

    private static final PullRequestCall GITHUB_CALL = call("POST", "/repos/acme/widgets/pulls");

    SigningKeys keys;
    TaskTokens tokens;
    Task patch;

    private static PullRequestCall call(String method, String path) {
        return new PullRequestCall(method, path, "{}", Map.of(), "/html_url", "/number");
    }

    @BeforeAll
    void keys(@TempDir Path dir) throws Exception {
        keys = SigningKeys.open(dir, Clock.systemUTC());
        tokens = new TaskTokens(keys, ATLAS, CLOUD, Clock.systemUTC());
        patch = patchTask("acme/widgets");
    }

    private static Task patchTask(String repoPath) {
        return new Task("t-1", "patch", "gh-main", Optional.empty(),
            Optional.of(new Task.Repository(URI.create("https://github.com/" + repoPath + ".git"), "main",
                "0".repeat(40), repoPath)),
            Optional.of(URI.create(CLOUD + "/results/t-1")), Duration.ofMinutes(5),
            new Task.Patch("diff", new Task.Commit("fix", "m", "A", "a@b.c"), Optional.empty()),
            JsonNodeFactory.instance.objectNode());
    }

    private static InboundRequest request(String method, String path, String query, String token) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Authorization", List.of("Bearer " + token));
        return new InboundRequest("r", method, "/vcs/rest" + path, Optional.ofNullable(query),
            HttpHeaders.of(headers, (a, b) -> true), new byte[0], "127.0.0.1");
    }

    private TaskTokens.ProxyGrant grant(String token) {
        return TaskProxyAccess.grant(request("POST", "/x", null, token), Optional.of(tokens)).orElseThrow();
    }

    @Test
    void allowsThePullRequestCallOfItsOwnRepository() {
        String token = tokens.proxyToken(patch, "github", GITHUB_CALL);
        TaskTokens.ProxyGrant grant = grant(token);
        assertThat(grant.repository()).isEqualTo("acme/widgets");
        TaskProxyAccess.check(grant, "gh-main", "github", request("POST", "/repos/acme/widgets/pulls", null, token),
            false, "/repos/acme/widgets/pulls");
    }

    @ParameterizedTest(name = "{0} {1} on {2}/{3} refused")
    @CsvSource(textBlock = """
        POST,   /repos/acme/other/pulls,          gh-main, github, ''
        POST,   /repos/evil/widgets/pulls,        gh-main, github, ''
        GET,    /repos/acme/widgets/pulls,        gh-main, github, ''
        PATCH,  /repos/acme/widgets/pulls,        gh-main, github, ''
        POST,   /repos/acme/widgets/pulls/1/merge, gh-main, github, ''
        POST,   /repos/acme/widgets/issues/1/comments, gh-main, github, ''
        POST,   /repos/acme/widgets/pulls,        gl-main, github, ''
        POST,   /repos/acme/widgets/pulls,        gh-main, gitlab, ''
        POST,   /repos/acme/widgets/pulls,        gh-main, github, per_page=1
        POST,   /repos/acme/widgets/pulls/,       gh-main, github, ''
        POST,   /repos/ACME/widgets/pulls,        gh-main, github, ''
        """)
    void refusesEveryOtherCall(String method, String path, String app, String vcs, String query) {
        String token = tokens.proxyToken(patch, "github", GITHUB_CALL);
        InboundRequest request = request(method, path, query.isEmpty() ? null : query, token);
        assertThatThrownBy(() -> TaskProxyAccess.check(grant(token), app, vcs, request, false, path))
            .isInstanceOfSatisfying(AtlasException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.FORBIDDEN));
    }

    @Test
    void refusesGraphql() {
        String token = tokens.proxyToken(patch, "github", GITHUB_CALL);
        assertThatThrownBy(() -> TaskProxyAccess.check(grant(token), "gh-main", "github",
            request("POST", "/repos/acme/widgets/pulls", null, token), true, ""))
            .isInstanceOfSatisfying(AtlasException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.FORBIDDEN));
    }

    @Test
    void refusesAnExpiredToken(@TempDir Path dir) throws Exception {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        TaskTokens old = new TaskTokens(SigningKeys.open(dir, past), ATLAS, CLOUD, past);
        TaskTokens now = new TaskTokens(SigningKeys.open(dir, Clock.systemUTC()), ATLAS, CLOUD, Clock.systemUTC());
        String expired = old.proxyToken(patch, "github", GITHUB_CALL);
        assertThatThrownBy(() -> TaskProxyAccess.grant(request("POST", "/x", null, expired), Optional.of(now)))
            .isInstanceOfSatisfying(AtlasException.class, e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED);
                assertThat(e.getMessage()).doesNotContain(expired);
            });
    }

    @Test
    void refusesATokenSignedWithOtherKeys(@TempDir Path dir) throws Exception {
        TaskTokens other = new TaskTokens(SigningKeys.open(dir, Clock.systemUTC()), ATLAS, CLOUD, Clock.systemUTC());
        String foreign = other.proxyToken(patch, "github", GITHUB_CALL);
        assertThatThrownBy(() -> grant(foreign)).isInstanceOfSatisfying(AtlasException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
    }

    @Test
    void neverTakesTheResultTokenMeantForTheCloudAsAProxyToken() {
        String result = tokens.resultToken(patch);
        // a result token is not even routed here: it goes to the cloud authenticator, which does not know Atlas's keys
        assertThat(TaskProxyAccess.grant(request("POST", "/x", null, result), Optional.of(tokens))).isEmpty();
        // and forced through the proxy-token check (its typ changed is a broken signature) it fails too
        assertThatThrownBy(() -> tokens.verifyProxyToken(result)).isInstanceOf(dev.atlas.core.keys.TokenRejected.class);
    }

    @Test
    void allowsExactlyTheMethodAndPathThePluginGaveWithoutKnowingTheVcs() {
        String token = tokens.proxyToken(patchTask("group/sub/project"), "gitlab",
            call("POST", "/projects/4711/merge_requests"));
        TaskTokens.ProxyGrant grant = grant(token);
        assertThat(grant.method()).isEqualTo("POST");
        assertThat(grant.path()).isEqualTo("/projects/4711/merge_requests");

        TaskProxyAccess.check(grant, "gh-main", "gitlab", request("POST", "/projects/4711/merge_requests", null, token),
            false, "/projects/4711/merge_requests");
        for (String other : List.of("/projects/4712/merge_requests", "/projects/group%2Fsub%2Fproject/merge_requests",
            "/projects/4711/merge_requests/1/notes", "/projects/4711", "/projects/4711/merge_requests/",
            "/projects/4711/merge_requests/../../4712/merge_requests")) {
            assertThatThrownBy(() -> TaskProxyAccess.check(grant, "gh-main", "gitlab", request("POST", other, null, token),
                false, other)).isInstanceOfSatisfying(AtlasException.class,
                    e -> assertThat(e.getMessage()).isEqualTo(
                        "the task token allows only opening a pull request on group/sub/project"));
        }
        assertThatThrownBy(() -> TaskProxyAccess.check(grant, "gh-main", "gitlab",
            request("PUT", "/projects/4711/merge_requests", null, token), false, "/projects/4711/merge_requests"))
            .isInstanceOf(AtlasException.class);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(textBlock = """
        PUT,  /repos/acme/widgets/pulls
        POST, /repos/acme/widgets/pulls/1/merge
        """)
    void allowsAnotherMethodOnlyWhenThePluginSaidSo(String method, String path) {
        String token = tokens.proxyToken(patch, "github", call(method, path));
        TaskProxyAccess.check(grant(token), "gh-main", "github", request(method, path, null, token), false, path);
        assertThatThrownBy(() -> TaskProxyAccess.check(grant(token), "gh-main", "github",
            request("POST", "/repos/acme/widgets/pulls", null, token), false, "/repos/acme/widgets/pulls"))
            .isInstanceOf(AtlasException.class);
    }

    @Test
    void refusesAProxyTokenWithoutTheCallsMethodAndPath() throws Exception {
        // a token of the old shape (repo_id, no pr_method/pr_path) signed with Atlas's own keys does not verify
        String old = keys.sign(new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(ATLAS.toString())
            .subject("t-1").audience(ATLAS + "/vcs").issueTime(new java.util.Date())
            .expirationTime(java.util.Date.from(Instant.now().plusSeconds(300))).claim("scope", TaskTokens.PR_CREATE)
            .claim("app", "gh-main").claim("vcs", "gitlab").claim("repo", "group/sub/project").claim("repo_id", "4711")
            .build(), TaskTokens.PROXY_TYPE);
        assertThatThrownBy(() -> grant(old)).isInstanceOfSatisfying(AtlasException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
    }
}
