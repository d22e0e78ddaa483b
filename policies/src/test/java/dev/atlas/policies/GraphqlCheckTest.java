package dev.atlas.policies;

import static dev.atlas.policies.PolicyFixtures.body;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GraphqlCheckTest {

    private final ApiPolicy policy = PolicyFixtures.people();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        plain allowed fields                        | { me { name } }
        interface field through the interface       | { item(id: 1) { id title } }
        inline fragment on the interface            | { item(id: 1) { ... on Node { id } } }
        inline fragment without type condition      | { me { ... { name } } }
        union member through a fragment             | { search(text: "x") { __typename ... on Item { title } } }
        typename on a union                         | { search(text: "x") { __typename } }
        allowed arguments only                      | { me { friends(first: 2) { name } } }
        aliases within the limit                    | { a: me { n: name } b: me { name } }
        depth at the limit                          | { me { friends { friends { name } } } }
        named mutation with allowed payload fields  | mutation { rename(name: "x") { name } }
        directives within the limit                 | query ($x: Boolean!) { me { name @skip(if: $x) } }
        """)
    void allowsDocumentsMadeOfAllowedFields(String why, String query) {
        Decision decision = policy.checkGraphql(body(query));

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(decision.status()).isEqualTo(200);
        assertThat(decision.error()).isNull();
        assertThat(decision.rule()).isEqualTo("graphql");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        field not in the allow-list                 | { me { secret } }                                               | default-deny
        field not in the allow-list behind an alias | { me { name: secret } }                                         | default-deny
        concrete field through inline fragment      | { node(id: 1) { id } }                                          | default-deny
        implementor field not allowed               | { item(id: 1) { ... on Item { body } } }                        | default-deny
        implementor field through named fragment    | { item(id: 1) { ...F } } fragment F on Item { body }            | default-deny
        fragment on a type that cannot apply        | { item(id: 1) { ... on Person { name } } }                      | default-deny
        union field without fragment                | { search(text: "x") { title } }                                 | default-deny
        argument the rule does not list             | { me { friends(after: "c") { name } } }                         | default-deny
        argument the schema does not have           | { me { friends(last: 1) { name } } }                            | default-deny
        argument given twice                        | { item(id: 1, id: 2) { title } }                                | default-deny
        scalar with a selection                     | { me { name { x } } }                                           | default-deny
        object without a selection                  | { me }                                                          | default-deny
        typename with a selection                   | { __typename { x } }                                            | default-deny
        unknown double-underscore field             | { __secret }                                                    | default-deny
        introspection below the root                | { me { __schema { types { name } } } }                          | default-deny
        mutation not named in the policy            | mutation { addNote(text: "x") { id } }                          | default-deny
        mutation payload field not allowed          | mutation { rename(name: "x") { secret } }                       | default-deny
        introspection of the schema                 | { __schema { types { name } } }                                 | introspection
        introspection of a type                     | { __type(name: "Person") { name } }                             | introspection
        subscription                                | subscription { me { name } }                                    | operation
        fragment spread that is not defined         | { me { ...Missing } }                                           | fragment
        fragment cycle through two fragments        | { me { ...A } } fragment A on Person { ...B } fragment B on Person { ...A } | fragment
        depth over the limit                        | { me { friends { friends { friends { name } } } } }             | maxDepth
        aliases over the limit                      | { a: me { b: name c: name d: name } }                           | maxAliases
        aliases over the limit through a fragment   | { me { ...F ...F } } fragment F on Person { a: name b: name }   | maxAliases
        directives over the limit                   | { me { name @skip(if: false) @include(if: true) @skip(if: false) } } | maxDirectives
        directive not allowed                       | { me { name @deprecated } }                                     | directive
        """)
    void deniesDocumentsReachingBeyondTheAllowList(String why, String query, String rule) {
        Decision decision = policy.checkGraphql(body(query));

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.status()).isEqualTo(403);
        assertThat(decision.error()).isEqualTo(Decision.POLICY_DENIED);
        assertThat(decision.rule()).as(decision.reason()).isEqualTo(rule);
    }

    @Test
    void countsFieldsAfterExpandingFragments() {
        String fragments = "fragment A on Person { ...B ...B ...B } fragment B on Person { name name name name name }";

        Decision decision = policy.checkGraphql(body("{ me { ...A ...A ...A } } " + fragments));

        assertThat(decision.rule()).isEqualTo("maxFields");
    }

    @Test
    void deniesAQueryOverTheByteLimitBeforeParsingIt() {
        Decision decision = policy.checkGraphql(body("{ me { name } } #" + "x".repeat(2048)));

        assertThat(decision.rule()).isEqualTo("maxQueryBytes");
        assertThat(decision.reason()).hasSizeLessThan(100);
    }

    @Test
    void countsQueryBytesInUtf8() {
        String query = "{ me { name } } #" + "\u00e9".repeat(1020);

        assertThat(query.length()).isLessThan(2048);
        assertThat(policy.checkGraphql(body(query)).rule()).isEqualTo("maxQueryBytes");
    }

    @Test
    void deniesABodyOverTheBodyLimitWhateverItHolds() {
        String padded = "{\"query\": \"{ me { name } }\", \"variables\": {\"pad\": \"" + "x".repeat(4096) + "\"}}";

        assertThat(policy.checkGraphql(padded).rule()).isEqualTo("maxBodyBytes");
    }

    @Test
    void decidesOnTheDocumentWhateverTheVariablesSay() {
        String query = "query ($show: Boolean!) { me { name secret @include(if: $show) } }";

        Decision decision = policy.checkGraphql("{\"query\": \"" + query + "\", \"variables\": {\"show\": false}}");

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains("Person.secret");
    }

    @Test
    void allowsTheOperationNamedWhenSeveralAreDefinedAndAllAreAllowed() {
        Decision decision = policy.checkGraphql(body("query A { me { name } } query B { item(id: 1) { title } }", "B"));

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
    }

    @Test
    void deniesAnOperationNameThatMatchesNoOperation() {
        Decision decision = policy.checkGraphql(body("query A { me { name } }", "B"));

        assertThat(decision.rule()).isEqualTo("operation");
    }

    @Test
    void deniesAnOperationNameDefinedTwice() {
        Decision decision = policy.checkGraphql(body("query A { me { name } } query A { me { secret } }", "A"));

        assertThat(decision.rule()).isEqualTo("operation");
    }

    @Test
    void allowsIntrospectionOnlyWhenThePolicySaysSo() {
        ApiPolicy open = PolicyFixtures.parse("version: 1\ngraphql:\n  introspection: true\n  allow: [Query.me, Person.name]\n");

        assertThat(open.checkGraphql(body("{ __schema { queryType { name } } me { name } }")).allowed()).isTrue();
        assertThat(open.checkGraphql(body("{ __schema { queryType { name } } me { secret } }")).allowed()).isFalse();
    }

    @Test
    void deniesQueriesWhenThePolicyAllowsOnlyMutations() {
        ApiPolicy writeOnly = PolicyFixtures.parse(
            "version: 1\ngraphql:\n  operations: {queries: false, mutations: [deleteAll]}\n");

        assertThat(writeOnly.checkGraphql(body("{ me { name } }")).rule()).isEqualTo("operation");
        assertThat(writeOnly.checkGraphql(body("mutation { deleteAll }")).allowed()).isTrue();
    }

    @Test
    void deniesEveryGraphqlRequestWhenThePolicyHasNoGraphqlSection() {
        ApiPolicy restOnly = PolicyFixtures.parse("version: 1\nrest: {rules: []}\n");

        Decision decision = restOnly.checkGraphql(body("{ me { name } }"));

        assertThat(decision.status()).isEqualTo(403);
        assertThat(decision.rule()).isEqualTo("graphql-disabled");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        duplicate query key            | {"query": "{ me { name } }", "query": "{ me { secret } }"}
        duplicate nested key           | {"query": "{ me { name } }", "variables": {"a": 1, "a": 2}}
        batch array                    | [{"query": "{ me { name } }"}]
        trailing second value          | {"query": "{ me { name } }"} {"query": "{ me { secret } }"}
        string instead of object       | "{ me { name } }"
        number query                   | {"query": 5}
        null query                     | {"query": null}
        missing query                  | {"operationName": "A"}
        operation name not a string    | {"query": "{ me { name } }", "operationName": 1}
        variables not an object        | {"query": "{ me { name } }", "variables": "a=1"}
        unknown body key               | {"query": "{ me { name } }", "extensions": {}}
        comments in JSON               | {"query": "{ me { name } }" /* x */}
        not JSON at all                | { me { name } }
        empty body                     | ``
        unparsable document            | {"query": "{ me { name }"}
        """)
    void rejectsBodiesThatCannotBeReadAsOneGraphqlRequest(String why, String body) {
        Decision decision = policy.checkGraphql(body);

        assertThat(decision.status()).as(decision.reason()).isEqualTo(400);
        assertThat(decision.error()).isEqualTo(Decision.INVALID_REQUEST);
    }

    @Test
    void neverEchoesAHugeInputInTheReason() {
        String name = "x".repeat(5000);

        Decision decision = policy.checkGraphql(body("{ me { name } }", name));

        assertThat(decision.reason()).hasSizeLessThan(200);
    }

    @Test
    void rendersTheDenialAsTheJsonErrorBody() {
        Decision decision = policy.checkGraphql(body("{ me { secret } }"));

        assertThat(decision.errorJson()).isEqualTo(
            "{\"error\":\"policy_denied\",\"reason\":\"field Person.secret is not allowed by this policy\",\"rule\":\"default-deny\"}");
    }
}
