package dev.atlas.patcher;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The patcher sends the call the app's VCS plugin built, as it is, and reads the outcome where the plugin said: the
 * shapes below are those the shipped plugins build (GitHub, GitLab, Bitbucket Cloud and Data Center).
 */
class PullRequestOpenerTest {
    @RegisterExtension
    static final WireMockExtension PROXY = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private final ObjectMapper mapper = new ObjectMapper();
    private final PullRequestOpener opener = new PullRequestOpener(
        new JsonPoster(PatchCommand.Options.defaultHttpClient(), RetryPolicy.immediate(2)), mapper);

    private PatchTask task(String callJson) throws Exception {
        PullRequestCall call = callJson == null ? null : PullRequestCall.parse(mapper.readTree(callJson));
        return new PatchTask("t-1", "app-1", "99",
            new PatchTask.RepositoryRef("https://vcs.example/acme/widgets.git", "main",
                "0123456789abcdef0123456789abcdef01234567"),
            URI.create("https://asgard.example/r"), null,
            new PatchTask.CommitSpec("atlas/fix", "Fix", "Bot", "bot@example.test"),
            new PatchTask.PullRequestSpec("Fix it", "Because", "main"), URI.create(PROXY.baseUrl() + "/"), call,
            java.util.List.of());
    }

    private static String call(String path, String body, String headers, String url, String number) {
        return "{\"method\":\"POST\",\"path\":\"" + path + "\",\"body\":" + body + ",\"headers\":" + headers
            + ",\"urlPointer\":\"" + url + "\",\"numberPointer\":\"" + number + "\"}";
    }

    @Test
    void sendsTheCallWithItsHeadersTheProxyTokenAndTheAppId() throws Exception {
        PROXY.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(201)
            .withBody("{\"number\":7,\"html_url\":\"https://ghes.example/acme/widgets/pull/7\"}")));

        PullRequestOpener.Outcome outcome = opener.open(task(call("/repos/acme/widgets/pulls",
            "{\"title\":\"Fix it\",\"body\":\"Because\",\"head\":\"atlas/fix\",\"base\":\"main\"}",
            "{\"X-Installation-ID\":\"99\"}", "/html_url", "/number")), "prx");

        assertThat(outcome).isEqualTo(new PullRequestOpener.Outcome("https://ghes.example/acme/widgets/pull/7", 7L, null));
        PROXY.verify(postRequestedFor(urlEqualTo("/vcs/rest/repos/acme/widgets/pulls"))
            .withHeader("Authorization", equalTo("Bearer prx")).withHeader("X-App-ID", equalTo("app-1"))
            .withHeader("X-Installation-ID", equalTo("99"))
            .withRequestBody(equalToJson("{\"title\":\"Fix it\",\"body\":\"Because\",\"head\":\"atlas/fix\",\"base\":\"main\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/projects/4711/merge_requests|{\"iid\":3,\"web_url\":\"https://gl.example/g/p/-/merge_requests/3\"}|/web_url|/iid"
            + "|https://gl.example/g/p/-/merge_requests/3|3",
        "/repositories/ws/repo/pullrequests|{\"id\":5,\"links\":{\"html\":{\"href\":\"https://bitbucket.org/ws/repo/pull-requests/5\"}}}"
            + "|/links/html/href|/id|https://bitbucket.org/ws/repo/pull-requests/5|5",
        "/rest/api/1.0/projects/PRJ/repos/repo/pull-requests|{\"id\":9,\"links\":{\"self\":[{\"href\":\"https://bb.example/pr/9\"}]}}"
            + "|/links/self/0/href|/id|https://bb.example/pr/9|9"})
    void readsTheOutcomeAtThePluginsPointers(String path, String answer, String url, String number, String expectedUrl,
        long expectedNumber) throws Exception {
        PROXY.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(201).withBody(answer)));

        PullRequestOpener.Outcome outcome = opener.open(task(call(path, "{\"title\":\"Fix it\"}", "{}", url, number)), "prx");

        assertThat(outcome).isEqualTo(new PullRequestOpener.Outcome(expectedUrl, expectedNumber, null));
        PROXY.verify(postRequestedFor(urlEqualTo("/vcs/rest" + path)).withoutHeader("X-Installation-ID"));
    }

    @Test
    void sendsTheMethodThePluginNamed() throws Exception {
        PROXY.stubFor(any(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(200).withBody("{\"n\":1}")));
        ObjectNode call = (ObjectNode) mapper.readTree(call("/x/pulls", "{}", "{}", "/u", "/n"));
        call.put("method", "PUT");

        PullRequestOpener.Outcome outcome = opener.open(task(call.toString()), "prx");

        assertThat(outcome.number()).isEqualTo(1L);
        PROXY.verify(putRequestedFor(urlEqualTo("/vcs/rest/x/pulls")));
    }

    @ParameterizedTest(name = "HTTP {0}")
    @CsvSource(delimiter = '|', value = {
        "409|{\"message\":\"Another open merge request already exists for this source branch\"}|already exists",
        "422|{\"message\":\"Validation Failed\",\"errors\":[{\"message\":\"A pull request already exists\"}]}|already exists",
        "403|{\"error\":\"policy_denied\",\"reason\":\"not allowed\"}|VCS proxy answered HTTP 403: policy_denied",
        "404|not json|VCS proxy answered HTTP 404"})
    void describesAFailedCallWithoutRetryingA4xx(int status, String body, String expected) throws Exception {
        PROXY.stubFor(post(urlPathMatching("/vcs/rest/.*")).willReturn(aResponse().withStatus(status).withBody(body)));

        PullRequestOpener.Outcome outcome = opener.open(task(call("/p", "{}", "{}", "/u", "/n")), "prx");

        assertThat(outcome.error()).contains(expected);
        PROXY.verify(1, postRequestedFor(urlPathMatching("/vcs/rest/.*")));
    }

    @Test
    void failsWithoutACallWithoutCallingTheProxy() throws Exception {
        PullRequestOpener.Outcome outcome = opener.open(task(null), "prx");

        assertThat(outcome.error()).contains("pullRequestCall");
        PROXY.verify(0, anyRequestedFor(urlPathMatching("/.*")));
    }
}
