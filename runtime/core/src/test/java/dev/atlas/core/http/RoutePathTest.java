package dev.atlas.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Path parameters come from the route's own template, segment by segment, on the raw path. */
class RoutePathTest {
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "/webhook/{vcs}/{appId}  | /webhook/github/gh-main        | false | vcs=github,appId=gh-main",
        "/hooks/{vcs}/{appId}    | /hooks/gitlab/gl%2Fx           | false | vcs=gitlab,appId=gl%2Fx",
        "/webhook/{vcs}/{appId}  | /webhook/github/gh-main/extra  | false | -",
        "/webhook/{vcs}/{appId}  | /webhook/github                | false | -",
        "/webhook/{vcs}/{appId}  | /hooks/github/gh-main          | false | -",
        "/api/tasks/{taskId}     | /api/tasks/t-1                 | false | taskId=t-1",
        "/api/tasks/{taskId}     | /api/tasks/                    | false | taskId=",
        "/jobs/{taskId}/git      | /jobs/t-1/git/info/refs        | true  | taskId=t-1",
        "/jobs/{taskId}/git      | /jobs/t-1/gut/info/refs        | true  | -"})
    void matchesTheRawPathAgainstTheTemplate(String template, String path, boolean prefix, String expected) {
        Map<String, String> params = RoutePath.match(template, path, prefix);
        if (expected == null) {
            assertThat(params).isEmpty();
            return;
        }
        for (String pair : expected.split(",")) {
            String[] kv = pair.split("=", -1);
            assertThat(params).containsEntry(kv[0], kv[1]);
        }
    }
}
