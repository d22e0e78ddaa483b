package dev.atlas.policies;

import static dev.atlas.policies.PolicyFixtures.body;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every limit answers 403 {@code policy_denied} naming the limit, however far past it a document goes: also where
 * graphql-java's own parser gives up first (its rule depth, characters, tokens).
 */
class GraphqlLimitsTest {

    private final ApiPolicy policy = PolicyFixtures.people();

    static Stream<Arguments> documentsOverALimit() {
        return Stream.of(
            Arguments.of("one level over the depth limit", nested(5), "maxDepth"),
            Arguments.of("far deeper than the parser's rule depth", nested(150), "maxDepth"),
            Arguments.of("inline fragments nested past the parser's rule depth",
                "{ me { " + "...{".repeat(300) + "name" + "}".repeat(300) + " } }", "maxDepth"),
            Arguments.of("a list value nested past the parser's rule depth",
                "{ item(id: " + "[".repeat(500) + "1" + "]".repeat(500) + ") { title } }", "maxDepth"),
            Arguments.of("an object value nested past the parser's rule depth",
                "{ item(id: " + "{a:".repeat(300) + "1" + "}".repeat(300) + ") { title } }", "maxDepth"),
            Arguments.of("aliases", "{ a: me { b: name c: name d: name } }", "maxAliases"),
            Arguments.of("fields", "{ me { " + "name ".repeat(41) + "} }", "maxFields"),
            Arguments.of("query bytes", "{ me { name } } #" + "x".repeat(2048), "maxQueryBytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documentsOverALimit")
    void answersALimitAs403NamingIt(String why, String query, String limit) {
        Decision decision = policy.checkGraphql(body(query));

        assertThat(decision.status()).as(decision.reason()).isEqualTo(403);
        assertThat(decision.error()).isEqualTo(Decision.POLICY_DENIED);
        assertThat(decision.rule()).isEqualTo(limit);
        assertThat(decision.reason()).hasSizeLessThan(200);
    }

    @Test
    void answersABodyOverItsLimitAs403NamingIt() {
        Decision decision = policy.checkGraphql("{\"query\": \"{ me { name } }\", \"variables\": {\"p\": \"" + "x".repeat(5000) + "\"}}");

        assertThat(decision.status()).isEqualTo(403);
        assertThat(decision.rule()).isEqualTo("maxBodyBytes");
    }

    @Test
    void letsThePolicyNotTheParserDecideAtTheHighestDepthLimit() {
        ApiPolicy deep = PolicyFixtures.parse("version: 1\ngraphql:\n  limits: {maxDepth: 64, maxQueryBytes: 65536,"
            + " maxBodyBytes: 131072, maxFields: 1000}\n  allow: [Query.me, Person.friends, Person.name]\n");
        String atLimit = "{ me { " + "friends { ".repeat(62) + "name" + " }".repeat(62) + " } }";
        String overLimit = "{ me { " + "friends { ".repeat(63) + "name" + " }".repeat(63) + " } }";

        Decision allowed = deep.checkGraphql(body(atLimit));
        Decision denied = deep.checkGraphql(body(overLimit));

        assertThat(allowed.allowed()).as(allowed.reason()).isTrue();
        assertThat(allowed.forwardBody()).isPresent();
        assertThat(denied.rule()).isEqualTo("maxDepth");
        assertThat(denied.reason()).contains("deeper than 64");
    }

    private static String nested(int levels) {
        return "{ me { " + "friends{".repeat(levels - 1) + "name" + "}".repeat(levels - 1) + " } }";
    }
}
