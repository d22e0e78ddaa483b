package dev.atlas.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code Accept} parsed after RFC 9110 (media ranges, parameters, quoted strings, weights): a parameter passes only
 * when the rule lists it with that value, and the header forwarded is Atlas's own writing of the ranges it checked.
 * people.yaml's default is {@code [application/json, "application/json; charset=utf-8"]}.
 */
class AcceptHeaderTest {

    private final ApiPolicy policy = PolicyFixtures.people();

    private Decision get(String... accept) {
        return policy.checkRest("GET", "/items/42", null, Arrays.asList(accept), Map.of());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        application/json                                  | application/json
        APPLICATION/JSON; Charset=UTF-8                   | application/json;charset=utf-8
        application/json ;charset=utf-8 ; q=0.5           | application/json;charset=utf-8;q=0.5
        application/json;q=1.000                          | application/json;q=1.000
        ' , application/json,,'                           | application/json
        application/json;q=0                              | application/json;q=0
        """)
    void forwardsTheHeaderAsAtlasRewroteIt(String accept, String forwarded) {
        Decision decision = get(accept);

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(decision.forward().accept()).isEqualTo(forwarded);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        application/json; charset=application/vnd.github.v3.diff
        application/json; charset="utf-8"
        application/json; charset="utf-8, application/vnd.example.diff"
        application/json; version=diff
        application/json; charset=utf-8; charset=utf-16
        application/json; q=0.5; charset=utf-8
        application/json; q=0.5; version=diff
        application/json; q=1.0001
        application/json; q=2
        application/json; q=-1
        application/json; q="1"
        application/json; q=
        application/json; =x
        application/json; charset=
        application/json; charset="utf-8
        application/json "text/html"
        application/json text/html
        application/json; charset=utf-8 text/html
        */json
        application
        application/
        application/json/x
        application/jsön
        """)
    void deniesMalformedOrUnlistedParameters(String accept) {
        Decision decision = get(accept);

        assertThat(decision.status()).as(decision.reason()).isEqualTo(403);
        assertThat(decision.rule()).isEqualTo("accept");
        assertThat(decision.forward().accept()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        'application/json; charset="x,text/html", application/json'
        'application/json; x="a\\",b"'
        """)
    void keepsCommasInsideQuotedStringsInTheirParameter(String accept) {
        Decision decision = get(accept);

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.rule()).isEqualTo("accept");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        application/json, text/html;q=0
        text/html
        */*
        application/*
        """)
    void deniesEveryUnlistedMediaTypeEvenWithWeightZero(String accept) {
        Decision decision = get(accept);

        assertThat(decision.status()).isEqualTo(403);
        assertThat(decision.rule()).isEqualTo("item-get");
    }

    @Test
    void combinesSeveralAcceptHeadersIntoTheOneItForwards() {
        Decision decision = get("application/json", "application/json;charset=utf-8");

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(decision.forward().accept()).isEqualTo("application/json, application/json;charset=utf-8");
    }

    @Test
    void checksEveryAcceptHeaderNotOnlyTheFirst() {
        assertThat(get("application/json;charset=utf-8", "application/vnd.example.diff").allowed()).isFalse();
        assertThat(get("application/json", "application/json; charset=application/vnd.example.diff").rule())
            .isEqualTo("accept");
    }

    @Test
    void forwardsJsonWhenNoAcceptHeaderCame() {
        assertThat(policy.checkRest("GET", "/items/42", null, List.of(), Map.of()).forward().accept())
            .isEqualTo("application/json");
    }

    @Test
    void deniesAFloodOfMediaRanges() {
        assertThat(get("application/json,".repeat(40)).rule()).isEqualTo("accept");
    }
}
