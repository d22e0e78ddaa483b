package dev.atlas.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardedHeadersTest {
    private static final URI API = URI.create("https://gitlab.example/api/v4");

    @ParameterizedTest
    @ValueSource(strings = {"If-None-Match", "if-none-match", "IF-MODIFIED-SINCE", "If-Modified-Since"})
    void forwardsConditionalHeadersOnlyForARuleThatDoesNotFilterItsAnswer(String name) {
        assertThat(ForwardedHeaders.forwardRequest(name, false)).isTrue();
        assertThat(ForwardedHeaders.forwardRequest(name, true)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Accept", "Content-Type", "User-Agent"})
    void keepsContentNegotiationForAFilteredRule(String name) {
        assertThat(ForwardedHeaders.forwardRequest(name, true)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void dropsValidatorsOfAFilteredAnswerAndKeepsTheRest(boolean filtered) {
        Map<String, List<String>> upstream = Map.of("ETag", List.of("W/\"abc\""), "last-modified",
            List.of("Tue, 01 Dec 2026 10:00:00 GMT"), "Link", List.of("<https://gitlab.example/api/v4/x?page=2>; rel=\"next\""),
            "Content-Type", List.of("application/json"));
        Map<String, String> out = new LinkedHashMap<>();

        ForwardedHeaders.copyResponse(upstream, API, filtered, out::put);

        assertThat(out).containsKeys("Link", "Content-Type");
        if (filtered) {
            assertThat(out).doesNotContainKeys("ETag", "last-modified");
        } else {
            assertThat(out).containsKeys("ETag", "last-modified");
        }
    }
}
