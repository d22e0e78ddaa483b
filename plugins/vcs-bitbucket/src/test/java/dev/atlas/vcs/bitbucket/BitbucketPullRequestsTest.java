package dev.atlas.vcs.bitbucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.api.vcs.PullRequestCall;
import dev.atlas.api.vcs.PullRequestRequest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BitbucketPullRequestsTest {
    private final ObjectMapper json = new ObjectMapper();

    private static PullRequestRequest request(String path) {
        return new PullRequestRequest(path, Optional.empty(), "atlas/fix", "main", "Fix it", "Because");
    }

    @Test
    void postsACloudPullRequestWithSourceAndDestinationBranches() throws Exception {
        PullRequestCall call = BitbucketPullRequests.call(BitbucketFlavor.CLOUD, request("ws/repo"));

        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/repositories/ws/repo/pullrequests");
        assertThat(json.readTree(call.jsonBody())).isEqualTo(json.readTree("{\"title\":\"Fix it\",\"description\":"
            + "\"Because\",\"source\":{\"branch\":{\"name\":\"atlas/fix\"}},\"destination\":{\"branch\":{\"name\":"
            + "\"main\"}}}"));
        assertThat(call.headers()).isEmpty();
        assertThat(call.urlPointer()).isEqualTo("/links/html/href");
        assertThat(call.numberPointer()).isEqualTo("/id");
    }

    @Test
    void postsADataCenterPullRequestWithFullRefsUnderTheRestApi() throws Exception {
        PullRequestCall call = BitbucketPullRequests.call(BitbucketFlavor.DATA_CENTER, request("scm/PRJ/repo"));

        assertThat(call.path()).isEqualTo("/rest/api/1.0/projects/PRJ/repos/repo/pull-requests");
        assertThat(json.readTree(call.jsonBody())).isEqualTo(json.readTree("{\"title\":\"Fix it\",\"description\":"
            + "\"Because\",\"fromRef\":{\"id\":\"refs/heads/atlas/fix\"},\"toRef\":{\"id\":\"refs/heads/main\"}}"));
        assertThat(call.urlPointer()).isEqualTo("/links/self/0/href");
        assertThat(call.numberPointer()).isEqualTo("/id");
    }

    @Test
    void refusesARepositoryPathThatCannotNameACall() {
        assertThatThrownBy(() -> BitbucketPullRequests.call(BitbucketFlavor.CLOUD, request("ws/../x")))
            .isInstanceOf(CredentialException.class);
        assertThatThrownBy(() -> BitbucketPullRequests.call(BitbucketFlavor.DATA_CENTER, request("repo")))
            .isInstanceOf(CredentialException.class);
    }
}
