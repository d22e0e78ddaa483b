package dev.atlas.vcs.gitlab;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.atlas.api.Secret;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import dev.atlas.api.vcs.PullRequests;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.testkit.ConfigTrees;
import dev.atlas.testkit.TestHost;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The merge-request call a patch job gets, with the project id the provider asks a fake GitLab for. */
class GitlabMergeRequestsTest {
    private final ObjectMapper json = new ObjectMapper();
    private final WireMockServer gitlab = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private VcsProvider provider;

    @BeforeEach
    void start() throws Exception {
        gitlab.start();
        AppSettings app = new AppSettings("acme", "gl-main", "gitlab", URI.create(gitlab.baseUrl()),
            URI.create(gitlab.baseUrl() + "/api/v4"), Secret.of("hook"), Optional.empty(), "installations[0].apps[0]");
        ProblemList problems = new ProblemList();
        provider = new GitlabVcsProviderFactory().configure(app,
            ConfigTrees.section("installations[0].apps[0].gitlab", Map.of("token", "glpat-x"), problems), problems);
        provider.open(TestHost.create());
    }

    @AfterEach
    void stop() {
        provider.close();
        gitlab.stop();
    }

    private static PullRequestRequest request(String path) {
        return new PullRequestRequest(path, Optional.empty(), "atlas/fix", "main", "Fix it", "Because");
    }

    @Test
    void postsAMergeRequestToTheProjectIdItLookedUpWithTheAppsToken() throws Exception {
        gitlab.stubFor(get(urlEqualTo("/api/v4/projects/group%2Fsub%2Fproject"))
            .willReturn(okJson("{\"id\": 4711, \"path_with_namespace\": \"group/sub/project\"}")));

        PullRequestCall call = ((PullRequests) provider).pullRequestCall(request("group/sub/project"));

        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/projects/4711/merge_requests");
        assertThat(json.readTree(call.jsonBody())).isEqualTo(json.readTree("{\"source_branch\":\"atlas/fix\","
            + "\"target_branch\":\"main\",\"title\":\"Fix it\",\"description\":\"Because\"}"));
        assertThat(call.headers()).isEmpty();
        assertThat(call.urlPointer()).isEqualTo("/web_url");
        assertThat(call.numberPointer()).isEqualTo("/iid");
        gitlab.verify(getRequestedFor(urlEqualTo("/api/v4/projects/group%2Fsub%2Fproject"))
            .withHeader("Authorization", equalTo("Bearer glpat-x")));
    }

    @Test
    void refusesWhenGitlabDoesNotKnowTheProject() {
        assertThatThrownBy(() -> ((PullRequests) provider).pullRequestCall(request("group/missing")))
            .isInstanceOf(CredentialException.class);
    }
}
