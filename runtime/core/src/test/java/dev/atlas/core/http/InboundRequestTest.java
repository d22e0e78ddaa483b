package dev.atlas.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InboundRequestTest {
    private static InboundRequest withHeaders(Map<String, List<String>> headers) {
        return new InboundRequest("r-1", "POST", "/webhook/github/app", Optional.empty(),
            HttpHeaders.of(headers, (name, value) -> true), new byte[0], "127.0.0.1");
    }

    @Test
    void findsAHeaderWhateverTheCaseOfItsName() {
        InboundRequest request = withHeaders(Map.of("X-Hub-Signature-256", List.of("sha256=ab")));

        assertThat(request.header("x-hub-signature-256")).contains("sha256=ab");
        assertThat(request.header("X-HUB-SIGNATURE-256")).contains("sha256=ab");
        assertThat(request.headerCount("x-HUB-signature-256")).isEqualTo(1);
    }

    @Test
    void givesTheFirstOfRepeatedValuesAndCountsThemAll() {
        InboundRequest request = withHeaders(Map.of("X-GitHub-Event", List.of("push", "ping")));

        assertThat(request.header("X-GitHub-Event")).contains("push");
        assertThat(request.headerCount("x-github-event")).isEqualTo(2);
    }

    @Test
    void anAbsentHeaderIsEmptyAndCountsZero() {
        InboundRequest request = withHeaders(Map.of("Content-Type", List.of("application/json")));

        assertThat(request.header("X-Gitlab-Token")).isEmpty();
        assertThat(request.headerCount("X-Gitlab-Token")).isZero();
    }

    @Test
    void answersAsTheJdkHeadersDoForEveryName() {
        HttpHeaders headers = HttpHeaders.of(Map.of("A", List.of("1", "2"), "b-c", List.of("3")), (n, v) -> true);
        InboundRequest request = new InboundRequest("r-2", "GET", "/", Optional.empty(), headers, new byte[0], "");

        for (String name : List.of("a", "A", "B-C", "b-c", "missing", "")) {
            assertThat(request.header(name)).as(name).isEqualTo(headers.firstValue(name));
            assertThat(request.headerCount(name)).as(name).isEqualTo(headers.allValues(name).size());
        }
    }
}
