package dev.atlas.policies;

import static dev.atlas.policies.PolicyFixtures.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.policies.ReferenceLexer.Dialect;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an allowed GraphQL request sends upstream: Atlas's own printed document, never the caller's text. The
 * differential hunt feeds comment, whitespace, string, escape and unicode forms that two GraphQL lexers may read
 * differently, and requires each to be refused or forwarded as a canonical document that both lexers read alike.
 */
class GraphqlForwardingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The issue's example on the test schema: graphql-java reads {@code r1: item}, graphql-ruby {@code me { secret }}. */
    static final String ISSUE_EXAMPLE =
        "query { me { name } #\rr1: item(id: \"\"\"\nr: me { secret }\n#\"\"\") { title } }";

    private final ApiPolicy policy = PolicyFixtures.people();

    static Stream<Arguments> differentialForms() {
        return Stream.of(
            Arguments.of("issue example: comment ended by a lone CR, block string hiding a field", 200, ISSUE_EXAMPLE),
            Arguments.of("comment ended by CR LF", 200, "{ me { name } #x\r\n}"),
            Arguments.of("comment ended by a lone CR before a forbidden field", 403, "{ me { name #\r secret } }"),
            Arguments.of("comment ended by a lone CR before an allowed field", 200, "{ me { name #\r friends { name } } }"),
            Arguments.of("comment holding a block string opener", 200, "{ me { name } # \"\"\" \n item(id: 1) { title } }"),
            Arguments.of("comment holding U+2028", 200, "{ me { name } #\u2028 item(id: 1) { title }\n}"),
            Arguments.of("U+2028 between tokens", 200, "{ me {\u2028name } }"),
            Arguments.of("U+2029 between tokens", 200, "{ me {\u2029name } }"),
            Arguments.of("U+0085 between tokens", 400, "{ me {\u0085name } }"),
            Arguments.of("BOM at the start", 200, "\uFEFF{ me { name } }"),
            Arguments.of("BOM in the middle", 200, "{ me {\uFEFFname } }"),
            Arguments.of("BOM inside a string", 200, "{ item(id: \"\uFEFF\") { title } }"),
            Arguments.of("U+2028 inside a string", 200, "{ item(id: \"a\u2028b\u2029c\") { title } }"),
            Arguments.of("block string with an escaped triple quote", 200, "{ item(id: \"\"\"a \\\"\"\" me { secret } \"\"\") { title } }"),
            Arguments.of("block string with two quotes then an escaped triple quote", 200,
                "{ item(id: \"\"\"x\"\"\\\"\"\" ) { title } me { secret } #\"\"\") { title } }"),
            Arguments.of("block string ending in an escaped triple quote and a quote", 200,
                "{ item(id: \"\"\"a\\\"\"\"\" \"\"\") { title } }"),
            Arguments.of("block string with CR and CR LF", 200, "{ item(id: \"\"\"\r\n  a\r  b\r\n\"\"\") { title } }"),
            Arguments.of("block string with a comment sign and a brace", 200, "{ item(id: \"\"\"#}\n} me { secret }\"\"\") { title } }"),
            Arguments.of("empty block string", 200, "{ item(id: \"\"\"\"\"\") { title } }"),
            Arguments.of("empty string next to a string", 200, "{ search(text: \"\") { __typename } item(id: \"\") { title } }"),
            Arguments.of("unicode escape of a quote", 200, "{ item(id: \"\\u0022) { title } me { secret } \\u0022\") { title } }"),
            Arguments.of("unicode escape of a backslash", 200, "{ item(id: \"\\u005c\") { title } }"),
            Arguments.of("surrogate pair escape", 200, "{ item(id: \"\\uD83D\\uDE00\") { title } }"),
            Arguments.of("braced unicode escape", 200, "{ item(id: \"\\u{1F600}\") { title } }"),
            Arguments.of("unpaired surrogate escape", 400, "{ item(id: \"\\uD800\") { title } }"),
            Arguments.of("raw emoji in a string", 200, "{ item(id: \"\uD83D\uDE00\") { title } }"),
            Arguments.of("NUL escape in a string", 200, "{ item(id: \"\\u0000\") { title } }"),
            Arguments.of("raw NUL in a string", 200, "{ item(id: \"a\u0000b\") { title } }"),
            Arguments.of("raw NUL between tokens", 400, "{ me {\u0000name } }"),
            Arguments.of("raw tab and DEL in a string", 200, "{ item(id: \"\t\u007f\") { title } }"),
            Arguments.of("raw CR in a string", 400, "{ item(id: \"a\rb\") { title } }"),
            Arguments.of("escaped CR and solidus in a string", 200, "{ item(id: \"a\\rb\\/\") { title } }"),
            Arguments.of("hash inside a string", 200, "{ item(id: \"#\") { title } }"),
            Arguments.of("commas as whitespace", 200, "{,me,{,name,,},,}"),
            Arguments.of("CR LF line endings", 200, "query A {\r\n  me {\r\n    name\r\n  }\r\n}\r\n"),
            Arguments.of("lone CR line endings", 200, "query A {\r  me {\r    name\r  }\r}\r"),
            Arguments.of("ellipsis written against its type condition", 200, "{ item(id: 1) { ...on Node { id } ... { title } } }"),
            Arguments.of("non-ASCII letter in a name", 400, "{ me { n\u0430me } }"),
            Arguments.of("fullwidth brace", 400, "{ me \uFF5B name } }"),
            Arguments.of("description before the operation", 400, "\"x\" query { me { name } }"),
            Arguments.of("numbers in several forms", 200, "{ me { friends(first: -0) { a: name } b: friends(first: 1e3) { name } } }"),
            Arguments.of("object and list values with strings", 200,
                "query ($v: [String] = [\"a\u2028\", \"\"\"b\"\"\"]) { item(id: {k: [\"#\", null, true, ENUM]}) { title } }"),
            Arguments.of("directives with string arguments", 200,
                "query ($x: Boolean = true) { me { name @include(if: $x) @skip(if: false) } }"),
            Arguments.of("fragments with directives", 200, "{ me { ...P @include(if: true) } } fragment P on Person { name }"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentialForms")
    void refusesOrForwardsOnlyACanonicalDocumentBothLexersReadAlike(String why, int expect, String query) throws Exception {
        Decision decision = policy.checkGraphql(body(query));

        assertThat(decision.status()).as(decision.reason()).isEqualTo(expect);
        if (!decision.allowed()) {
            assertThat(decision.forwardBody()).isEmpty();
            return;
        }
        String forwarded = forwardedQuery(decision);
        assertCanonical(forwarded);
        assertThat(ReferenceLexer.tokens(forwarded, Dialect.GRAPHQL_RUBY))
            .isEqualTo(ReferenceLexer.tokens(forwarded, Dialect.GRAPHQL_JAVA));
        assertThat(ReferenceLexer.names(forwarded, Dialect.GRAPHQL_RUBY)).doesNotContain("secret", "body");
        // printed → parsed → checked: the same verdict and the same text again
        Decision again = policy.checkGraphql(body(forwarded));
        assertThat(again.allowed()).as(again.reason()).isTrue();
        assertThat(forwardedQuery(again)).isEqualTo(forwarded);
    }

    /** Block string {@code """x""\"""...}: graphql-ruby ends it at {@code ""\"""}, graphql-java only at the last {@code """}. */
    static final String ESCAPED_TRIPLE_QUOTE_BYPASS =
        "{ me { name } r1: item(id: \"\"\"x\"\"\\\"\"\") { title } r2: me { secret } r3: item(id: \"a\" #\"\"\"\n) { title } }";

    @ParameterizedTest(name = "{0}")
    @MethodSource("bypasses")
    void forwardsNoBypassInAFormTheVcsCouldReadAsAnotherSelection(String why, String bypass) throws Exception {
        assertThat(ReferenceLexer.names(bypass, Dialect.GRAPHQL_RUBY)).as("the bypass as the VCS would read it").contains("secret");
        assertThat(ReferenceLexer.names(bypass, Dialect.GRAPHQL_JAVA)).as("as Atlas reads it").doesNotContain("secret");

        Decision decision = policy.checkGraphql(body(bypass));

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(ReferenceLexer.names(forwardedQuery(decision), Dialect.GRAPHQL_RUBY)).doesNotContain("secret");
    }

    static Stream<Arguments> bypasses() {
        return Stream.of(Arguments.of("comment ended by a lone CR (issue example)", ISSUE_EXAMPLE),
            Arguments.of("block string with two quotes then an escaped triple quote", ESCAPED_TRIPLE_QUOTE_BYPASS));
    }

    @Test
    void forwardsTheIssueExampleAsTheDocumentAtlasChecked() throws Exception {
        assertThat(ReferenceLexer.names(ISSUE_EXAMPLE, Dialect.GRAPHQL_RUBY)).as("the bypass as the VCS would read it")
            .contains("secret");

        Decision decision = policy.checkGraphql(body(ISSUE_EXAMPLE));

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(forwardedQuery(decision)).isEqualTo("{me{name}r1:item(id:\"r: me { secret }\\n#\"){title}}");
        assertThat(ReferenceLexer.names(forwardedQuery(decision), Dialect.GRAPHQL_RUBY))
            .containsExactly("me", "name", "r1", "item", "id", "title");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exactForms")
    void printsEachFormAsItsCanonicalText(String why, String query, String expected) throws Exception {
        Decision decision = policy.checkGraphql(body(query));

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(forwardedQuery(decision)).isEqualTo(expected);
    }

    static Stream<Arguments> exactForms() {
        return Stream.of(
            Arguments.of("comment and commas dropped", "{ me { name } } # me { secret }", "{me{name}}"),
            Arguments.of("BOM and CR dropped", "\uFEFF{\r me {\r\n name } }", "{me{name}}"),
            Arguments.of("block string printed as a plain string", "{ item(id: \"\"\"\n  a \\\"\"\"\n  b\n\"\"\") { title } }",
                "{item(id:\"a \\\"\\\"\\\"\\nb\"){title}}"),
            Arguments.of("line separators escaped", "{ item(id: \"\u2028\u2029\uFEFF\") { title } }",
                "{item(id:\"\\u2028\\u2029\\uFEFF\"){title}}"),
            Arguments.of("braced escape written as a surrogate pair", "{ item(id: \"\\u{1F600}\") { title } }",
                "{item(id:\"\\uD83D\\uDE00\"){title}}"),
            Arguments.of("named operation, variables and fragments",
                "query Q($id: ID! = \"x\") { item(id: $id) { ...F } } fragment F on Item { t: title }",
                "query Q($id:ID!=\"x\"){item(id:$id){...F}} fragment F on Item {t:title}"));
    }

    @Test
    void rewritesVariablesAndOperationNameFromTheCheckedValues() throws Exception {
        String received = "{ \"operationName\" : \"Q\", \"variables\": {\"s\": \"a\u2028\\u2029\", \"n\": 1.50,"
            + " \"big\": 123456789012345678901234567890, \"o\": {\"l\": [true, null]}}, \"query\": \"query Q { me { name } }\" }";

        Decision decision = policy.checkGraphql(received);

        assertThat(decision.forwardBody()).contains("{\"query\":\"query Q{me{name}}\",\"variables\":{\"s\":\"a\\u2028\\u2029\","
            + "\"n\":1.50,\"big\":123456789012345678901234567890,\"o\":{\"l\":[true,null]}},\"operationName\":\"Q\"}");
    }

    @Test
    void leavesOutVariablesAndOperationNameThatAreNull() {
        Decision decision = policy.checkGraphql("{\"query\": \"{ me { name } }\", \"variables\": null, \"operationName\": null}");

        assertThat(decision.forwardBody()).contains("{\"query\":\"{me{name}}\"}");
    }

    @Test
    void refusesVariablesNestedDeeperThanAnyVcsInput() {
        String deep = "[".repeat(100) + "]".repeat(100);

        Decision decision = policy.checkGraphql("{\"query\": \"{ me { name } }\", \"variables\": {\"v\": " + deep + "}}");

        assertThat(decision.status()).as(decision.reason()).isEqualTo(400);
    }

    @Test
    void forwardsNothingOfItsOwnForADenial() {
        assertThat(policy.checkGraphql(body("{ me { secret } }")).forwardBody()).isEmpty();
    }

    private static String forwardedQuery(Decision decision) throws Exception {
        assertThat(decision.forwardBody()).isPresent();
        JsonNode sent = JSON.readTree(decision.forwardBody().get());
        List<String> keys = List.copyOf(iterable(sent));
        assertThat(keys).isSubsetOf("query", "variables", "operationName").startsWith("query");
        return sent.get("query").asText();
    }

    private static List<String> iterable(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Printable ASCII only; no comment, no block string outside what the string literals hold. */
    static void assertCanonical(String document) {
        assertThat(document.chars()).allMatch(c -> c >= 0x20 && c < 0x7F);
        String outsideStrings = document.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "S");
        assertThat(outsideStrings).doesNotContain("#", "\"");
        assertThat(document).doesNotContain("\"\"\"");
    }
}
