package dev.atlas.vcs.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GithubPullRequestsTest {
    private final ObjectMapper json = new ObjectMapper();

    private static PullRequestRequest request(String path, Optional<String> installation) {
        return new PullRequestRequest(path, installation, "atlas/fix", "main", "Fix it", "Because");
    }

    @Test
    void postsToTheRepositorysPullsWithTheInstallationHeader() throws Exception {
        PullRequestCall call = GithubPullRequests.call(request("acme/widgets", Optional.of("99")));

        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/repos/acme/widgets/pulls");
        assertThat(json.readTree(call.jsonBody())).isEqualTo(json.readTree(
            "{\"title\":\"Fix it\",\"body\":\"Because\",\"head\":\"atlas/fix\",\"base\":\"main\"}"));
        assertThat(call.headers()).isEqualTo(Map.of("X-Installation-ID", "99"));
        assertThat(call.urlPointer()).isEqualTo("/html_url");
        assertThat(call.numberPointer()).isEqualTo("/number");
    }

    @Test
    void sendsNoInstallationHeaderWhenTheTaskNamesNone() throws Exception {
        assertThat(GithubPullRequests.call(request("ghes/acme/widgets", Optional.empty())).headers()).isEmpty();
        assertThat(GithubPullRequests.call(request("ghes/acme/widgets", Optional.empty())).path())
            .isEqualTo("/repos/acme/widgets/pulls");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"widgets", "acme/../pulls", "acme/wid%2Fgets", "acme/x?y=1"})
    void refusesARepositoryPathThatCannotNameACall(String path) {
        assertThatThrownBy(() -> GithubPullRequests.call(request(path, Optional.empty())))
            .isInstanceOf(CredentialException.class);
    }
}
