package dev.atlas.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseFilterTest {

    private static final ApiPolicy POLICY = PolicyFixtures.parse("""
        version: 1
        rest:
          accept: [application/json]
          rules:
            - id: project
              method: GET
              path: /projects/{id:int}
              response:
                allow: [id, name, "namespace.*", "tag_list[]"]
            - id: both
              method: GET
              path: /both
              redact: ["files[].patch"]
              response: {allow: ["files[].patch", "files[].filename"]}
            - id: plain
              method: GET
              path: /plain
            - id: nothing
              method: POST
              path: /statuses
              response: {allow: []}
        """);

    private static String apply(ResponseFilter filter, int status, String body) {
        return new String(filter.apply(status, body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    private static Decision get(String path) {
        return POLICY.checkRest("GET", path, null, List.of(), Map.of());
    }

    @Test
    void carriesTheRuleAllowListInTheDecision() {
        Decision decision = get("/projects/7");

        assertThat(decision.response().filters()).isTrue();
        assertThat(decision.response().allowed()).contains(List.of("id", "name", "namespace.*", "tag_list[]"));
        assertThat(decision.redactions()).isEmpty();
        assertThat(apply(decision.response(), 200, """
            {"id":7,"name":"api","runners_token":"SECRET-MARKER-runners_token","namespace":{"id":1,"path":"acme"},
             "tag_list":["a"],"import_url":"https://user:SECRET-MARKER-import_url@example.com/x.git"}
            """)).isEqualTo("{\"id\":7,\"name\":\"api\",\"namespace\":{\"id\":1,\"path\":\"acme\"},\"tag_list\":[\"a\"]}");
    }

    @Test
    void appliesRedactionsAfterTheAllowList() {
        Decision decision = get("/both");

        assertThat(apply(decision.response(), 200, "{\"files\":[{\"filename\":\"a\",\"patch\":\"S\",\"sha\":\"1\"}]}"))
            .isEqualTo("{\"files\":[{\"filename\":\"a\"}]}");
    }

    @Test
    void leavesTheAnswerOfARuleWithoutFilterUntouched() {
        ResponseFilter none = get("/plain").response();
        byte[] body = "not json".getBytes(StandardCharsets.UTF_8);

        assertThat(none.filters()).isFalse();
        assertThat(none.apply(200, body)).isSameAs(body);
    }

    @Test
    void keepsNothingButTheBracesForAnEmptyAllowList() {
        Decision decision = POLICY.checkRest("POST", "/statuses", null, List.of(), Map.of());

        assertThat(decision.response().filters()).isTrue();
        assertThat(apply(decision.response(), 201, "{\"id\":1,\"target_url\":\"u\"}")).isEqualTo("{}");
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 400, 404, 422, 500, 503})
    void keepsOnlyTheErrorFieldsOfAnAnswerThatIsNotASuccess(int status) {
        String github = """
            {"message":"Validation Failed","documentation_url":"https://docs.github.com/rest",
             "errors":[{"resource":"Issue","field":"title","code":"missing_field","value":"SECRET-MARKER-value"}],
             "id":7,"runners_token":"SECRET-MARKER-runners_token"}
            """;

        String out = apply(get("/projects/7").response(), status, github);

        assertThat(out).isEqualTo("{\"message\":\"Validation Failed\",\"documentation_url\":\"https://docs.github.com/rest\","
            + "\"errors\":[{\"resource\":\"Issue\",\"field\":\"title\",\"code\":\"missing_field\"}]}");
    }

    @Test
    void keepsTheErrorShapesOfGitlabAndBitbucket() {
        ResponseFilter filter = get("/projects/7").response();

        assertThat(apply(filter, 400, "{\"message\":{\"title\":[\"can't be blank\"]}}"))
            .isEqualTo("{\"message\":{\"title\":[\"can't be blank\"]}}");
        assertThat(apply(filter, 404, "{\"error\":\"404 Not Found\"}")).isEqualTo("{\"error\":\"404 Not Found\"}");
        assertThat(apply(filter, 400, "{\"type\":\"error\",\"error\":{\"message\":\"Bad request\"}}"))
            .isEqualTo("{\"type\":\"error\",\"error\":{\"message\":\"Bad request\"}}");
        assertThat(apply(filter, 409, "{\"errors\":[{\"context\":null,\"message\":\"m\",\"exceptionName\":\"e\"}]}"))
            .isEqualTo("{\"errors\":[{\"context\":null,\"message\":\"m\",\"exceptionName\":\"e\"}]}");
    }

    @Test
    void refusesAnErrorAnswerThatIsNotJson() {
        ResponseFilter filter = get("/projects/7").response();

        assertThatThrownBy(() -> apply(filter, 502, "<html>Bad gateway</html>")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsAMalformedAllowPathWhenThePolicyIsRead() {
        assertThatThrownBy(() -> ResponseFilter.of(Optional.of(List.of("a..b")), List.of()))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
