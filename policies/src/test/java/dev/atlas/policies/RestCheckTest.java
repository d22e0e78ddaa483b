package dev.atlas.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestCheckTest {

    private final ApiPolicy policy = PolicyFixtures.people();

    @ParameterizedTest(name = "{0} {1}?{2} accept {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        GET  | /items/42                 | -                  | -                                          | item-get
        GET  | /items/42                 | fields=a,b         | application/json                           | item-get
        GET  | /items/42                 | fields=a&fields=b  | APPLICATION/JSON; charset=UTF-8            | item-get
        GET  | /items/42                 | fiel%64s=x%20y     | -                                          | item-get
        GET  | /items/by-name/a.b_c-d    | -                  | -                                          | item-named
        GET  | /items/by-name/main...dev | -                  | -                                          | item-named
        GET  | /commits/ABCDEF0123       | -                  | application/vnd.example+json;q=0.9         | commit-get
        POST | /items                    | -                  | application/json                           | item-create
        GET  | /items/42                 | -                  | ' , application/json'                      | item-get
        """)
    void allowsRequestsMatchingARule(String method, String path, String query, String accept, String rule) {
        Decision decision = policy.checkRest(method, path, query, accept == null ? List.of() : List.of(accept), Map.of());

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(decision.rule()).isEqualTo(rule);
    }

    @ParameterizedTest(name = "{0} {1}?{2} accept {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        GET    | /items/abc                   | -            | -                          | default-deny
        GET    | /items/-1                    | -            | -                          | default-deny
        GET    | /items/42/body               | -            | -                          | default-deny
        GET    | /items                       | -            | -                          | default-deny
        DELETE | /items/42                    | -            | -                          | default-deny
        PUT    | /items                       | -            | -                          | default-deny
        HEAD   | /items/42                    | -            | -                          | default-deny
        GET    | /items/by-name/x.diff        | -            | -                          | default-deny
        GET    | /items/by-name/x.PATCH       | -            | -                          | default-deny
        GET    | /items/by-name/x.raw         | -            | -                          | default-deny
        GET    | /commits/xyz                 | -            | -                          | default-deny
        GET    | /commits/abc                 | -            | -                          | default-deny
        GET    | /items/42                    | other=1      | -                          | item-get
        GET    | /items/42                    | fields=1;x=2 | -                          | query-string
        GET    | /items/42                    | a=%zz        | -                          | query-string
        GET    | /items/42                    | a=b c        | -                          | query-string
        GET    | /items/42                    | -            | text/html                  | item-get
        GET    | /items/42                    | -            | application/*              | item-get
        GET    | /items/42                    | -            | application                | accept
        GET    | /items/42                    | -            | 'application/json; q="1"'  | accept
        GET    | /items/%34%32                | -            | -                          | path-normalisation
        GET    | /items/４２                   | -            | -                          | path-normalisation
        GET    | items/42                     | -            | -                          | path-normalisation
        GET    | ''                           | -            | -                          | path-normalisation
        GET    | /items/42#frag               | -            | -                          | path-normalisation
        GET    | /items/42/..                 | -            | -                          | path-normalisation
        GET    | /items/42/%2E                | -            | -                          | path-normalisation
        GET    | /items/42%                   | -            | -                          | path-normalisation
        GET    | /items/42%2                  | -            | -                          | path-normalisation
        GET    | /items/42%7F                 | -            | -                          | path-normalisation
        GET    | /items/4 2                   | -            | -                          | path-normalisation
        GET    | /items@evil.example/42       | -            | -                          | path-normalisation
        GET    | http:/items/42               | -            | -                          | path-normalisation
        """)
    void deniesRequestsNoRuleAllows(String method, String path, String query, String accept, String rule) {
        Decision decision = policy.checkRest(method, path, query, accept == null ? List.of() : List.of(accept), Map.of());

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.status()).isEqualTo(403);
        assertThat(decision.error()).isEqualTo(Decision.POLICY_DENIED);
        assertThat(decision.rule()).as(decision.reason()).isEqualTo(rule);
    }

    @ParameterizedTest
    @CsvSource({"X-HTTP-Method-Override", "x-http-method-override", "X-Method-Override", "X-HTTP-Method", " x-http-method "})
    void deniesEveryRequestCarryingAMethodOverrideHeader(String header) {
        Decision decision = policy.checkRest("GET", "/items/42", null, List.of(), Map.of(header, List.of("GET")));

        assertThat(decision.rule()).isEqualTo("method-override");
    }

    @Test
    void requiresEveryListedMediaTypeToBeAllowed() {
        Decision decision = policy.checkRest("GET", "/commits/abcdef", null,
            Arrays.asList(null, "application/json", "application/vnd.example+json, application/vnd.example.diff"), Map.of());

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains("application/vnd.example.diff");
    }

    @Test
    void treatsAMissingAcceptHeaderAsJson() {
        ApiPolicy xmlOnly = PolicyFixtures.parse("""
            version: 1
            rest:
              rules:
                - {id: x, method: GET, path: /x, accept: [application/xml]}
            """);

        assertThat(xmlOnly.checkRest("GET", "/x", null, List.of(), Map.of()).allowed()).isFalse();
        assertThat(xmlOnly.checkRest("GET", "/x", null, List.of("application/xml"), Map.of()).allowed()).isTrue();
    }

    @Test
    void reportsTheRedactionsOfTheMatchingRule() {
        Decision decision = policy.checkRest("GET", "/commits/abcdef", null, List.of(), Map.of());

        assertThat(decision.redactions()).containsExactly("files[].patch", "**.secret");
    }

    @Test
    void usesTheFirstMatchingRuleInFileOrder() {
        ApiPolicy ordered = PolicyFixtures.parse("""
            version: 1
            rest:
              accept: [application/json]
              rules:
                - {id: literal, method: GET, path: /items/special}
                - {id: variable, method: GET, path: "/items/{name}", redact: [body]}
            """);

        assertThat(ordered.checkRest("GET", "/items/special", null, List.of(), Map.of()).rule()).isEqualTo("literal");
        assertThat(ordered.checkRest("GET", "/items/other", null, List.of(), Map.of()).rule()).isEqualTo("variable");
    }

    @Test
    void deniesEveryRestRequestWhenThePolicyHasNoRestSection() {
        ApiPolicy graphqlOnly = PolicyFixtures.parse("version: 1\ngraphql: {allow: [Query.me]}\n");

        assertThat(graphqlOnly.checkRest("GET", "/items/42", null, List.of(), Map.of()).rule()).isEqualTo("default-deny");
    }

    @Test
    void clipsAHugePathInTheReason() {
        Decision decision = policy.checkRest("GET", "/" + "a".repeat(2000), null, List.of(), Map.of());

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).hasSizeLessThan(300);
    }

    @Test
    void deniesNullInputsInsteadOfThrowing() {
        assertThat(policy.checkRest(null, "/items/42", null, null, null).allowed()).isFalse();
        assertThat(policy.checkRest("GET", null, null, null, null).allowed()).isFalse();
        assertThat(policy.checkGraphql(null).status()).isEqualTo(400);
    }
}
