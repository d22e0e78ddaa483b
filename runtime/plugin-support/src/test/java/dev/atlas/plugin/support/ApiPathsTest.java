package dev.atlas.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiPathsTest {

    @Test
    void capturesTheTemplatesNamedSegmentsAndIgnoresWhatFollows() {
        assertThat(ApiPaths.match("/repos/acme/api/pulls/7", "repos", "{owner}", "{repo}"))
            .contains(Map.of("owner", "acme", "repo", "api"));
        assertThat(ApiPaths.match("/repos/acme/api/compare/main...fix:x", "repos", "{owner}", "{repo}"))
            .contains(Map.of("owner", "acme", "repo", "api"));
        assertThat(ApiPaths.match("/repos/acme/my.api_v2-x", "repos", "{owner}", "{repo}"))
            .contains(Map.of("owner", "acme", "repo", "my.api_v2-x"));
    }

    @Test
    void aPathOfAnotherShapeMatchesNothing() {
        assertThat(ApiPaths.match("/user", "repos", "{owner}", "{repo}")).isEmpty();
        assertThat(ApiPaths.match("/repos/acme", "repos", "{owner}", "{repo}")).isEmpty();
        assertThat(ApiPaths.match("/orgs/acme/repos", "repos", "{owner}", "{repo}")).isEmpty();
        assertThat(ApiPaths.match("", "repos", "{owner}", "{repo}")).isEmpty();
    }

    @ParameterizedTest(name = "hostile [{0}]")
    @ValueSource(strings = {"/repos/acme%2Fother/api", "/repos/acme/api%2F..%2F..%2Fvictim", "/repos/acme/%2e%2e/x",
        "/repos/acme/api/../../victim/x/pulls", "/repos/../victim/x", "/repos/./acme/api", "/repos//acme/api",
        "//repos/acme/api", "/repos/acme/api/", "repos/acme/api", "https://evil.example/repos/acme/api",
        "/repos/acme\\other/api", "/repos/acme/api\u0000/x", "/repos/acme/api x", "/repos/acmé/api", "/repos/acme/api\n"})
    void aHostilePathNamesNoRepository(String path) {
        assertThat(ApiPaths.match(path, "repos", "{owner}", "{repo}")).isEmpty();
    }

    @Test
    void anOverlongPathNamesNoRepository() {
        String path = "/repos/acme/api/" + "a".repeat(ApiPaths.MAX_LENGTH);
        assertThat(ApiPaths.match(path, "repos", "{owner}", "{repo}")).isEmpty();
        assertThat(ApiPaths.segments("/" + "a".repeat(ApiPaths.MAX_LENGTH - 1))).isPresent();
    }

    @ParameterizedTest(name = "capture [{0}]")
    @ValueSource(strings = {"/repos/acme/{uuid}", "/repos/acme/a:b", "/repos/acme/a@b", "/repos/acme/a+b"})
    void aCapturedSegmentMustBeAPlainName(String path) {
        assertThat(ApiPaths.match(path, "repos", "{owner}", "{repo}")).isEmpty();
    }
}
