package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PullRequestOpenerTest {
    @RegisterExtension
    static final WireMockExtension PROXY = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private final PullRequestOpener opener = new PullRequestOpener(
        new JsonPoster(PatchCommand.Options.defaultHttpClient(), RetryPolicy.immediate(2)), new ObjectMapper());

    private PatchTask task(Vcs vcs, String cloneUrl, String installationId) {
        return task(vcs, cloneUrl, installationId, vcs == Vcs.GITLAB ? "4711" : null);
    }

    private PatchTask task(Vcs vcs, String cloneUrl, String installationId, String repositoryId) {
        return new PatchTask("t-1", "app-1", installationId, vcs,
            new PatchTask.RepositoryRef(cloneUrl, "main", "0123456789abcdef0123456789abcdef01234567"),
            URI.create("https://asgard.example/r"), null,
            new PatchTask.CommitSpec("atlas/fix", "Fix", "Bot", "bot@example.test"),
            new PatchTask.PullRequestSpec("Fix it", "Because", "main"), URI.create(PROXY.baseUrl() + "/"), repositoryId,
            java.util.List.of());
    }

    @Test
    void opensAGithubPullRequestWithTheInstallationHeader() throws Exception {
        PROXY.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(201)
            .withBody("{\"number\":7,\"html_url\":\"https://ghes.example/acme/widgets/pull/7\"}")));

        PullRequestOpener.Outcome outcome = opener.open(task(Vcs.GITHUB, "https://ghes.example/acme/widgets.git", "99"), "prx");

        assertThat(outcome).isEqualTo(new PullRequestOpener.Outcome("https://ghes.example/acme/widgets/pull/7", 7L, null));
        PROXY.verify(postRequestedFor(urlEqualTo("/vcs/rest/repos/acme/widgets/pulls"))
            .withHeader("Authorization", equalTo("Bearer prx")).withHeader("X-App-ID", equalTo("app-1"))
            .withHeader("X-Installation-ID", equalTo("99")));
    }

    @Test
    void opensAGitlabMergeRequestByTheProjectIdAtlasLookedUp() throws Exception {
        PROXY.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(201)
            .withBody("{\"iid\":3,\"web_url\":\"https://gitlab.example/g/sub/p/-/merge_requests/3\"}")));

        PullRequestOpener.Outcome outcome = opener.open(task(Vcs.GITLAB, "https://gitlab.example/g/sub/p.git", null), "prx");

        assertThat(outcome.number()).isEqualTo(3L);
        assertThat(outcome.url()).isEqualTo("https://gitlab.example/g/sub/p/-/merge_requests/3");
        PROXY.verify(postRequestedFor(urlEqualTo("/vcs/rest/projects/4711/merge_requests"))
            .withRequestBody(equalToJson("{\"source_branch\":\"atlas/fix\",\"target_branch\":\"main\",\"title\":\"Fix it\","
                + "\"description\":\"Because\"}")));
    }

    @Test
    void opensABitbucketCloudPullRequest() throws Exception {
        PROXY.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(201)
            .withBody("{\"id\":5,\"links\":{\"html\":{\"href\":\"https://bitbucket.org/ws/repo/pull-requests/5\"}}}")));

        PullRequestOpener.Outcome outcome = opener.open(task(Vcs.BITBUCKET, "https://bitbucket.org/ws/repo.git", null), "prx");

        assertThat(outcome.url()).isEqualTo("https://bitbucket.org/ws/repo/pull-requests/5");
        PROXY.verify(postRequestedFor(urlEqualTo("/vcs/rest/repositories/ws/repo/pullrequests"))
            .withRequestBody(equalToJson("{\"title\":\"Fix it\",\"description\":\"Because\","
                + "\"source\":{\"branch\":{\"name\":\"atlas/fix\"}},\"destination\":{\"branch\":{\"name\":\"main\"}}}")));
    }

    @Test
    void opensABitbucketDataCenterPullRequest() throws Exception {
        PROXY.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(201)
            .withBody("{\"id\":9,\"links\":{\"self\":[{\"href\":\"https://bb.example/projects/PRJ/repos/repo/pull-requests/9\"}]}}")));

        PullRequestOpener.Outcome outcome = opener.open(task(Vcs.BITBUCKET_DC, "https://bb.example/scm/PRJ/repo.git", null), "prx");

        assertThat(outcome.number()).isEqualTo(9L);
        PROXY.verify(postRequestedFor(urlEqualTo("/vcs/rest/rest/api/1.0/projects/PRJ/repos/repo/pull-requests"))
            .withRequestBody(equalToJson("{\"title\":\"Fix it\",\"description\":\"Because\","
                + "\"fromRef\":{\"id\":\"refs/heads/atlas/fix\"},\"toRef\":{\"id\":\"refs/heads/main\"}}")));
    }

    @ParameterizedTest(name = "HTTP {0}")
    @CsvSource(delimiter = '|', value = {
        "409|{\"message\":\"Another open merge request already exists for this source branch\"}|already exists",
        "403|{\"error\":\"policy_denied\",\"reason\":\"not allowed\"}|VCS proxy answered HTTP 403: policy_denied",
        "404|not json|VCS proxy answered HTTP 404"})
    void describesAFailedCallWithoutRetryingA4xx(int status, String body, String expected) throws Exception {
        PROXY.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(status).withBody(body)));

        PullRequestOpener.Outcome outcome = opener.open(task(Vcs.GITLAB, "https://gitlab.example/g/p.git", null), "prx");

        assertThat(outcome.error()).contains(expected);
        PROXY.verify(1, postRequestedFor(urlPathMatching("/vcs/rest/.*")));
    }

    @Test
    void failsAGitlabMergeRequestWithoutTheProjectIdWithoutCallingTheProxy() throws Exception {
        PullRequestOpener.Outcome outcome = opener.open(task(Vcs.GITLAB, "https://gitlab.example/g/p.git", null, null), "prx");

        assertThat(outcome.error()).contains("repositoryId");
        PROXY.verify(0, postRequestedFor(urlPathMatching("/vcs/rest/.*")));
    }

    @Test
    void readsTheRepositoryFromTheLastTwoSegmentsOfTheCloneUrl() {
        assertThat(PullRequestOpener.repositoryPath("https://github.example/acme/widgets.git")).containsExactly("acme", "widgets");
        assertThat(PullRequestOpener.repositoryPath("https://gitlab.example/g/sub/p/")).isEqualTo(List.of("g", "sub", "p"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"https://github.example/widgets.git", "https://github.example/acme/wid%2Fgets.git",
        "https://github.example/acme/../x.git", "https://github.example/"})
    void refusesACloneUrlItCannotTurnIntoAProxyPath(String cloneUrl) {
        assertThatThrownBy(() -> PullRequestOpener.repositoryPath(cloneUrl)).isInstanceOf(IllegalArgumentException.class);
    }
}
