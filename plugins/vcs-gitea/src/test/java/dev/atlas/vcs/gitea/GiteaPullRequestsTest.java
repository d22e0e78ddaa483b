package dev.atlas.vcs.gitea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GiteaPullRequestsTest {
    private final ObjectMapper json = new ObjectMapper();

    private static PullRequestRequest request(String path) {
        return new PullRequestRequest(path, Optional.of("ignored"), "atlas/fix", "main", "Fix it", "Because");
    }

    @Test
    void postsCreatePullRequestOptionToTheRepositorysPulls() throws Exception {
        PullRequestCall call = GiteaPullRequests.call(request("acme/widgets"));

        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/repos/acme/widgets/pulls");
        assertThat(json.readTree(call.jsonBody())).isEqualTo(json.readTree(
            "{\"head\":\"atlas/fix\",\"base\":\"main\",\"title\":\"Fix it\",\"body\":\"Because\"}"));
        assertThat(call.headers()).isEmpty();
        assertThat(call.urlPointer()).isEqualTo("/html_url");
        assertThat(call.numberPointer()).isEqualTo("/number");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"widgets", "acme/..", "acme/wid%2Fgets"})
    void refusesARepositoryPathThatCannotNameACall(String path) {
        assertThatThrownBy(() -> GiteaPullRequests.call(request(path))).isInstanceOf(CredentialException.class);
    }
}
