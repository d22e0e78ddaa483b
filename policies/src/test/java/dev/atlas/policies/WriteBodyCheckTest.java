package dev.atlas.policies;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * REST write bodies (people.yaml's item-create and item-move rules): JSON objects only, only the fields the rule
 * names, constrained fields absent or the path's own, and what is forwarded is Atlas's own writing of the checked
 * object.
 */
class WriteBodyCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";

    private final ApiPolicy policy = PolicyFixtures.people();

    private Decision create(String body, String contentType) {
        return write("POST", "/items", null, body, contentType);
    }

    private Decision move(String body) {
        return write("PUT", "/groups/7/items/42", null, body, JSON_TYPE);
    }

    private Decision write(String method, String path, String query, String body, String contentType) {
        Map<String, List<String>> headers = contentType == null ? Map.of() : Map.of("Content-Type", List.of(contentType));
        return policy.checkRest(method, path, query, List.of(), headers, body.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        {"title":"a"}
        {"title":null,"tags":["x","y",1,null]}
        {"owner":{"name":"n"},"parts":[{"name":"p"},{"name":"q"}]}
        {"extra":{"anything":{"deep":[1,{"x":2}]}}}
        {}
        """)
    void allowsABodyHoldingOnlyNamedFields(String body) throws Exception {
        Decision decision = create(body, JSON_TYPE);

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(JSON.readTree(decision.forward().body())).isEqualTo(JSON.readTree(body));
        assertThat(decision.forward().contentType()).isEqualTo("application/json");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        {"title":"a","state":"closed"}                  | field state
        {"owner":{"name":"n","id":1}}                   | field owner.id
        {"owner":"n"}                                   | a plain value in owner
        {"title":{"nested":"x"}}                        | an object in title
        {"tags":[["x"]]}                                | nested values in tags
        {"tags":[{"x":1}]}                              | nested values in tags
        {"parts":{"name":"p"}}                          | an object in parts
        {"parts":[{"name":"p","path":"/etc"}]}          | field parts[].path
        {"owner":[{"name":"n"}]}                        | an array in owner
        {"extra":{"_method":"DELETE"}}                  | _method
        {"title":"a","_method":"DELETE"}                | _method
        {"parts":[{"_METHOD":"x"}]}                     | _method
        """)
    void deniesFieldsTheRuleDoesNotName(String body, String reason) {
        Decision decision = create(body, JSON_TYPE);

        assertThat(decision.status()).isEqualTo(403);
        assertThat(decision.error()).isEqualTo(Decision.POLICY_DENIED);
        assertThat(decision.reason()).contains(reason);
        assertThat(decision.forward().body()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        {"target_group_id":7}
        {"target_group_id":"7"}
        {"target":{"full_name":"groups/7"},"title":"t"}
        {"title":"t"}
        """)
    void allowsAConstrainedFieldThatIsAbsentOrThePathsOwn(String body) {
        assertThat(move(body).allowed()).as(move(body).reason()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        {"target_group_id":8}
        {"target_group_id":"8"}
        {"target_group_id":"07"}
        {"target_group_id":7.0}
        {"target_group_id":null}
        {"target_group_id":[7]}
        {"target_group_id":true}
        {"target\\u005fgroup_id":8}
        {"target":{"full_name":"groups/8"}}
        {"target":{"full_name":"GROUPS/7"}}
        """)
    void deniesAConstrainedFieldPointingElsewhere(String body) {
        Decision decision = move(body);

        assertThat(decision.status()).as(decision.reason()).isEqualTo(403);
    }

    @Test
    void answers400ForAKeyGivenTwiceEvenWhenEscapedDifferently() {
        assertThat(move("{\"target_group_id\":7,\"target_group_id\":8}").status()).isEqualTo(400);
        Decision escaped = move("{\"target_group_id\":7,\"target\\u005fgroup_id\":8}");
        assertThat(escaped.status()).isEqualTo(400);
        assertThat(escaped.error()).isEqualTo(Decision.INVALID_REQUEST);
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        title=a&_method=DELETE  | application/x-www-form-urlencoded
        {"title":"a"}           | text/plain
        {"title":"a"}           | -
        {"title":"a"}           | application/json; charset=utf-16
        {"title":"a"}           | application/json; charset="utf-8"
        {"title":"a"}           | application/json, text/plain
        {"title":"a"}           | application/vnd.github+json
        {"title":"a"}           | multipart/form-data; boundary=x
        ["title"]               | application/json
        "title"                 | application/json
        42                      | application/json
        """)
    void answers415ForABodyThatIsNotAJsonObject(String body, String contentType) {
        Decision decision = create(body, contentType);

        assertThat(decision.status()).as(decision.reason()).isEqualTo(415);
        assertThat(decision.error()).isEqualTo(Decision.UNSUPPORTED_MEDIA_TYPE);
    }

    @Test
    void answers415WhenContentTypeIsSentTwice() {
        Decision decision = policy.checkRest("POST", "/items", null, List.of(),
            Map.of("Content-Type", List.of(JSON_TYPE, JSON_TYPE)), "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(decision.status()).isEqualTo(415);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        {"title":"a"} {"title":"b"}
        {"title":"a"}x
        {'title':'a'}
        {"title":"a",}
        {"title":"a"} // comment
        """)
    void answers400ForMalformedJson(String body) {
        assertThat(create(body, JSON_TYPE).status()).isEqualTo(400);
    }

    @Test
    void answers400ForAByteOrderMarkOrUtf16() {
        byte[] bom = "\uFEFF{\"title\":\"a\"}".getBytes(StandardCharsets.UTF_8);
        byte[] utf16 = "{\"title\":\"a\"}".getBytes(StandardCharsets.UTF_16);
        Map<String, List<String>> json = Map.of("Content-Type", List.of(JSON_TYPE));

        assertThat(policy.checkRest("POST", "/items", null, List.of(), json, bom).status()).isEqualTo(400);
        assertThat(policy.checkRest("POST", "/items", null, List.of(), json, utf16).status()).isEqualTo(400);
    }

    @Test
    void answers400ForInvalidUtf8() {
        byte[] body = {'{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xC3, '"', '}'};
        Decision decision = policy.checkRest("POST", "/items", null, List.of(), Map.of("Content-Type", List.of(JSON_TYPE)),
            body);

        assertThat(decision.status()).isEqualTo(400);
    }

    @Test
    void deniesABodyNestedTooDeep() {
        String body = "{\"extra\":" + "[".repeat(40) + "]".repeat(40) + "}";

        assertThat(create(body, JSON_TYPE).status()).isEqualTo(403);
    }

    @Test
    void deniesABodyOnARuleThatTakesNone() {
        Decision decision = write("GET", "/items/42", null, "{}", JSON_TYPE);

        assertThat(decision.status()).isEqualTo(403);
        assertThat(decision.reason()).contains("allows no request body");
    }

    @Test
    void forwardsAtlassOwnWritingOfTheBodyNotTheCallersBytes() {
        Decision decision = create("\n { \"title\" : \"\\u0061\\/b\" ,\"tags\":[1.10, 1e400] }  ", JSON_TYPE);

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(new String(decision.forward().body(), StandardCharsets.UTF_8))
            .isEqualTo("{\"title\":\"a/b\",\"tags\":[1.10,1E+400]}");
    }

    @Test
    void forwardsNoBodyForAnEmptyOne() {
        Decision decision = create("", null);

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.forward().body()).isNull();
        assertThat(decision.forward().contentType()).isNull();
    }

    @Test
    void deniesTheMethodParameterInAnyQueryString() {
        assertThat(write("PUT", "/groups/7/items/42", "_method=DELETE", "{}", JSON_TYPE).rule()).isEqualTo("method-override");
        assertThat(write("PUT", "/groups/7/items/42", "notify=1&%5Fmethod=DELETE", "{}", JSON_TYPE).rule())
            .isEqualTo("method-override");
        assertThat(policy.checkRest("GET", "/items/42", "_method=POST", List.of(), Map.of()).rule()).isEqualTo("method-override");
        assertThat(write("PUT", "/groups/7/items/42", "notify=1", "{}", JSON_TYPE).allowed()).isTrue();
        assertThat(write("PUT", "/groups/7/items/42", "target_group_id=8", "{}", JSON_TYPE).status()).isEqualTo(403);
    }

    @Test
    void answersALoneSurrogateWithA400() {
        assertThat(create("{\"title\":\"\\ud800\"}", JSON_TYPE).status()).isEqualTo(400);
    }
}
