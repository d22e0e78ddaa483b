package dev.atlas.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardedHeadersTest {
    private static final URI API = URI.create("https://gitlab.example/api/v4");

    @ParameterizedTest
    @ValueSource(strings = {"If-None-Match", "if-none-match", "IF-MODIFIED-SINCE", "If-Modified-Since"})
    void forwardsConditionalHeadersOnlyForARuleThatDoesNotFilterItsAnswer(String name) {
        assertThat(ForwardedHeaders.forwardRequest(name, false, Set.of())).isTrue();
        assertThat(ForwardedHeaders.forwardRequest(name, true, Set.of())).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Accept", "Content-Type", "User-Agent"})
    void keepsContentNegotiationForAFilteredRule(String name) {
        assertThat(ForwardedHeaders.forwardRequest(name, true, Set.of())).isTrue();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void dropsValidatorsOfAFilteredAnswerAndKeepsTheRest(boolean filtered) {
        Map<String, List<String>> upstream = Map.of("ETag", List.of("W/\"abc\""), "last-modified",
            List.of("Tue, 01 Dec 2026 10:00:00 GMT"), "Link", List.of("<https://gitlab.example/api/v4/x?page=2>; rel=\"next\""),
            "Content-Type", List.of("application/json"));
        Map<String, String> out = new LinkedHashMap<>();

        ForwardedHeaders.copyResponse(upstream, API, filtered, Set.of(), out::put);

        assertThat(out).containsKeys("Link", "Content-Type");
        if (filtered) {
            assertThat(out).doesNotContainKeys("ETag", "last-modified");
        } else {
            assertThat(out).containsKeys("ETag", "last-modified");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-GitHub-Api-Version", "X-Gitlab-Meta", "X-Total", "X-Custom"})
    void forwardsAProvidersOwnRequestHeaderOnlyWhenItsPluginNamesIt(String name) {
        assertThat(ForwardedHeaders.forwardRequest(name, false, Set.of())).isFalse();
        assertThat(ForwardedHeaders.forwardRequest(name, true, Set.of(name.toLowerCase(java.util.Locale.ROOT))))
            .isTrue();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void passesBackAProvidersOwnResponseHeadersOnlyWhenItsPluginNamesThem(boolean named) {
        Map<String, List<String>> upstream = Map.of("X-Total", List.of("41"), "X-GitHub-Request-Id", List.of("A:B"),
            "X-Leak", List.of("secret"));
        Map<String, String> out = new LinkedHashMap<>();

        ForwardedHeaders.copyResponse(upstream, API, true, named ? Set.of("x-total") : Set.of(), out::put);

        assertThat(out).doesNotContainKeys("X-GitHub-Request-Id", "X-Leak");
        if (named) {
            assertThat(out).containsEntry("X-Total", "41");
        } else {
            assertThat(out).doesNotContainKey("X-Total");
        }
    }
}
