package dev.atlas.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactorTest {

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(delimiter = '|', textBlock = """
        patch                   | {"a":1,"patch":"x"}                                   | {"a":1}
        patch                   | {"a":{"patch":"x"}}                                   | {"a":{"patch":"x"}}
        files[].patch           | {"files":[{"n":1,"patch":"x"},{"patch":"y"},3]}       | {"files":[{"n":1},{},3]}
        files[].patch           | {"files":{"patch":"x"}}                               | {"files":{"patch":"x"}}
        [].patch                | [{"patch":"x","f":"a"},{"f":"b"}]                     | [{"f":"a"},{"f":"b"}]
        commits[].files[].patch | {"commits":[{"files":[{"patch":"x","s":1}]}]}        | {"commits":[{"files":[{"s":1}]}]}
        a.b.c                   | {"a":{"b":{"c":1,"d":2}},"c":3}                       | {"a":{"b":{"d":2}},"c":3}
        m[][].x                 | {"m":[[{"x":1,"y":2}],[{"x":3}]]}                     | {"m":[[{"y":2}],[{}]]}
        **.patch                | {"patch":1,"a":[{"patch":2,"b":{"patch":3,"k":4}}]}  | {"a":[{"b":{"k":4}}]}
        a.**.x                  | {"x":1,"a":{"x":2,"b":[{"x":3}]}}                     | {"x":1,"a":{"b":[{}]}}
        patch                   | {"patch":"x","patch":"y","k":1}                       | {"k":1}
        patch                   | {"p\\u0061tch":"x","k":1}                             | {"k":1}
        patch                   | {"patch":{"deep":[1,2,{"patch":3}]},"k":[]}           | {"k":[]}
        patch                   | "just a string"                                       | "just a string"
        patch                   | [1,2.50,-0.0,1e400,123456789012345678901,true,null]  | [1,2.50,-0.0,1e400,123456789012345678901,true,null]
        """)
    void removesTheNamedFieldsAndKeepsEverythingElse(String path, String body, String expected) {
        byte[] redacted = Redactor.redact(body.getBytes(StandardCharsets.UTF_8), List.of(path));

        assertThat(new String(redacted, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void appliesSeveralPathsInOnePass() {
        String body = "{\"files\":[{\"patch\":\"x\",\"n\":1}],\"commits\":[{\"files\":[{\"patch\":\"y\"}]}],\"patch\":\"z\"}";

        byte[] redacted = Redactor.redact(body.getBytes(StandardCharsets.UTF_8),
            List.of("files[].patch", "commits[].files[].patch", "patch"));

        assertThat(new String(redacted, StandardCharsets.UTF_8)).isEqualTo("{\"files\":[{\"n\":1}],\"commits\":[{\"files\":[{}]}]}");
    }

    @Test
    void keepsNonAsciiTextIntact() {
        String body = "{\"title\":\"caf\u00e9 \u2713 \ud83d\ude00\",\"patch\":\"x\"}";

        byte[] redacted = Redactor.redact(body.getBytes(StandardCharsets.UTF_8), List.of("patch"));

        assertThat(new String(redacted, StandardCharsets.UTF_8)).isEqualTo("{\"title\":\"caf\u00e9 \u2713 \ud83d\ude00\"}");
    }

    @Test
    void returnsTheBodyItselfWhenThereIsNothingToRemove() {
        byte[] body = "not json at all".getBytes(StandardCharsets.UTF_8);

        assertThat(Redactor.redact(body, List.of())).isSameAs(body);
        byte[] empty = " \n".getBytes(StandardCharsets.UTF_8);
        assertThat(Redactor.redact(empty, List.of("patch"))).isSameAs(empty);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        diff --git a/x b/x
        {"patch":"x"
        {"a":1} {"patch":"x"}
        {'patch':'x'}
        """)
    void refusesABodyThatIsNotOneJsonValueRatherThanPassItOnUnredacted(String body) {
        assertThatThrownBy(() -> Redactor.redact(body.getBytes(StandardCharsets.UTF_8), List.of("patch")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("unredacted");
    }

    @ParameterizedTest
    @CsvSource({"''", "a..b", "a.[]", "files[]", "**", "a b", "a.*"})
    void rejectsMalformedPaths(String path) {
        assertThatThrownBy(() -> Redactor.redact("{}".getBytes(StandardCharsets.UTF_8), List.of(path)))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
