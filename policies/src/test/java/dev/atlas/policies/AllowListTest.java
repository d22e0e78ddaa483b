package dev.atlas.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AllowListTest {

    private static String filter(String body, String... paths) {
        byte[] out = AllowList.of(Arrays.asList(paths)).filter(body.getBytes(StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(delimiter = '|', textBlock = """
        id                   | {"id":1,"secret":"S"}                                    | {"id":1}
        id                   | {"secret":{"id":1}}                                      | {}
        owner.login          | {"owner":{"login":"o","token":"S"},"login":"S"}          | {"owner":{"login":"o"}}
        owner.login          | {"owner":"S-scalar-where-an-object-was-expected"}        | {}
        owner.login          | {"owner":null}                                           | {"owner":null}
        owner.login          | {"owner":[{"login":"S"}]}                                 | {"owner":[]}
        owner                | {"owner":{"login":"o","deep":[1,{"x":2}]}}               | {"owner":{"login":"o","deep":[1,{"x":2}]}}
        files[].filename     | {"files":[{"filename":"a","patch":"S"},{"patch":"S"}]}   | {"files":[{"filename":"a"},{}]}
        files[].filename     | {"files":[{"filename":"a"},"S",null,7]}                  | {"files":[{"filename":"a"},null]}
        files[].filename     | {"files":{"filename":"S-object-not-array"}}              | {"files":{}}
        [].id                | [{"id":1,"body":"S"},{"id":2}]                            | [{"id":1},{"id":2}]
        [].id                | {"id":"S-object-not-array"}                              | {}
        []                   | [1,"two",{"three":3}]                                    | [1,"two",{"three":3}]
        m[][].x              | {"m":[[{"x":1,"y":"S"}],[{"x":3}]]}                      | {"m":[[{"x":1}],[{"x":3}]]}
        labels[].*           | {"labels":[{"name":"bug","color":"f00"}],"x":"S"}        | {"labels":[{"name":"bug","color":"f00"}]}
        *.login              | {"a":{"login":"1","k":"S"},"b":{"login":"2"},"c":3}     | {"a":{"login":"1"},"b":{"login":"2"}}
        *                    | {"a":1,"b":{"c":2}}                                      | {"a":1,"b":{"c":2}}
        *                    | [{"a":1}]                                                | []
        files[].filename     | {"files":{"[]":{"filename":"S-key-spelt-like-a-step"}}}  | {"files":{}}
        id                   | {"\\u0069d":1,"i\\u0064x":"S"}                           | {"id":1}
        id                   | [1,2.50,-0.0,1e400,123456789012345678901]                | []
        n                | {"n":[1,2.50,-0.0,1e400,123456789012345678901,true]} | {"n":[1,2.50,-0.0,1e400,123456789012345678901,true]}
        """)
    void keepsOnlyWhatSomePathReaches(String path, String body, String expected) {
        assertThat(filter(body, path)).isEqualTo(expected);
    }

    @Test
    void combinesSeveralPathsInOnePass() {
        String body = """
            {"sha":"abc","commit":{"message":"m","tree":{"sha":"t","url":"u"}},"stats":{"total":3},
             "files":[{"filename":"a","status":"modified","additions":1,"patch":"SECRET-MARKER-patch"}],
             "files_url":"SECRET-MARKER-files_url"}
            """;

        String out = filter(body, "sha", "commit.message", "commit.tree.sha", "stats", "files[].filename",
            "files[].status", "files[].additions");

        assertThat(out).isEqualTo("{\"sha\":\"abc\",\"commit\":{\"message\":\"m\",\"tree\":{\"sha\":\"t\"}},"
            + "\"stats\":{\"total\":3},\"files\":[{\"filename\":\"a\",\"status\":\"modified\",\"additions\":1}]}");
    }

    @Test
    void expandsGroupsIntoOnePathPerAlternative() {
        assertThat(AllowList.expand("user.{login, id}")).containsExactly("user.login", "user.id");
        assertThat(AllowList.expand("{head,base}.{ref,sha}")).containsExactly("head.ref", "head.sha", "base.ref", "base.sha");
        assertThat(AllowList.expand("[].labels[].{name,color}")).containsExactly("[].labels[].name", "[].labels[].color");
        assertThat(filter("{\"head\":{\"ref\":\"r\",\"sha\":\"s\",\"repo\":\"S\"}}", "head.{ref,sha}"))
            .isEqualTo("{\"head\":{\"ref\":\"r\",\"sha\":\"s\"}}");
    }

    @Test
    void keepsNonAsciiTextIntact() {
        String body = "{\"title\":\"caf\u00e9 \u2713 \ud83d\ude00\",\"body\":\"x\"}";

        assertThat(filter(body, "title")).isEqualTo("{\"title\":\"caf\u00e9 \u2713 \ud83d\ude00\"}");
    }

    @Test
    void passesAnEmptyBodyAsItIs() {
        byte[] empty = " \r\n".getBytes(StandardCharsets.UTF_8);

        assertThat(AllowList.of(List.of("id")).filter(empty)).isSameAs(empty);
    }

    @Test
    void keepsOnlyTheBracesForAnEmptyAllowList() {
        assertThat(filter("{\"a\":{\"b\":1},\"c\":[1]}")).isEqualTo("{}");
        assertThat(filter("[{\"a\":1}]")).isEqualTo("[]");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "diff --git a/x b/x",
        "<html>SECRET-MARKER</html>",
        "\"a JSON string\"",
        "42",
        "null",
        "{\"id\":1",
        "{\"id\":1} {\"id\":2}",
        "[{\"id\":1}] trailing",
        "{'id':1}",
        "{\"id\":1,\"id\":2}",
        "{\"owner\":{\"login\":\"a\",\"login\":\"SECRET-MARKER\"}}",
        "{\"other\":{\"x\":1,\"x\":2}}",
        "[{\"id\":1},{\"name\":\"n\",\"n\\u0061me\":\"SECRET-MARKER\"}]",
    })
    void refusesWhatItCannotFilterExactly(String body) {
        assertThatThrownBy(() -> filter(body, "id", "owner.login", "[].id", "[].name"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("refusing to pass it on unfiltered");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a..b", ".a", "a.", "a b", "**", "a.**.b", "a[", "a[0]", "a.*x", "files[]x", "\"q\"", "a.{b",
        "a.b}", "a.{b,{c}}", "a.{b,}", "a.{}", "a.{b,c"})
    void rejectsMalformedPaths(String path) {
        assertThatThrownBy(() -> AllowList.of(List.of(path)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("response allow-list path");
    }

    @Test
    void refusesNestingDeeperThanTheParserAllowsInsteadOfOverflowingTheStack() {
        String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";

        assertThatThrownBy(() -> filter(deep, "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> filter(deep, "b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void handlesALargeListQuickly() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 20_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"patch\":\"@@ -1 +1 @@\\n-a\\n+b\"}");
        }
        String out = filter(json.append("]").toString(), "[].id");

        assertThat(out).startsWith("[{\"id\":0},{\"id\":1}").doesNotContain("patch");
    }
}
