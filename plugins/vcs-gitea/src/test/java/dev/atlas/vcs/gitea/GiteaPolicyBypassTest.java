package dev.atlas.vcs.gitea;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.policies.Decision;
import dev.atlas.testkit.PolicyCaseTable;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped Gitea policy against its case table: every code-bearing path, suffix, encoding and media type denied,
 * what the analysis cloud needs allowed, and realistic answers filtered down to their allow-lists.
 */
class GiteaPolicyBypassTest {
    private static final String POLICY = "gitea";

    static Stream<Arguments> cases(String section) {
        return PolicyCaseTable.read(GiteaPolicyBypassTest.class, "/policy-cases.yaml").named(section, POLICY);
    }

    static Stream<Arguments> graphqlCases() {
        return cases("graphql");
    }

    static Stream<Arguments> restCases() {
        return cases("rest");
    }

    static Stream<Arguments> redactionCases() {
        return cases("redactions");
    }

    static Stream<Arguments> responseCases() {
        return cases("responses");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphqlCases")
    void deniesEveryGraphqlRequest(String name, String policy, JsonNode c) throws Exception {
        Decision decision = PolicyCaseTable.shippedPolicy(GiteaPolicyBypassTest.class, policy)
            .checkGraphql(PolicyCaseTable.graphqlBody(c));

        PolicyCaseTable.assertExpectedWithErrorCode(decision, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restCases")
    void answersEachRestCaseWithItsExpectedStatus(String name, String policy, JsonNode c) throws Exception {
        Decision decision = PolicyCaseTable.checkRest(PolicyCaseTable.shippedPolicy(GiteaPolicyBypassTest.class, policy), c);

        PolicyCaseTable.assertExpectedWithErrorCode(decision, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redactionCases")
    void removesCodeFromResponsesByTheAllowList(String name, String policy, JsonNode c) throws Exception {
        PolicyCaseTable.assertRedacts(PolicyCaseTable.shippedPolicy(GiteaPolicyBypassTest.class, policy), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responseCases")
    void letsOnlyTheRuleAllowListThroughRealisticAnswers(String name, String policy, JsonNode c) throws Exception {
        byte[] filtered = PolicyCaseTable.assertRedacts(PolicyCaseTable.shippedPolicy(GiteaPolicyBypassTest.class, policy), c);

        assertThat(new String(filtered, StandardCharsets.UTF_8))
            .doesNotContain("diff_hunk", "payload", "original_url", "raw_url", "contents_url", "assets", "email\":\"SECRET");
        if (c.has("rule")) {
            String method = c.has("method") ? c.get("method").asText() : "GET";
            assertThat(PolicyCaseTable.shippedPolicy(GiteaPolicyBypassTest.class, policy)
                .checkRest(method, c.get("path").asText(), null, java.util.List.of(), java.util.Map.of()).rule())
                .isEqualTo(c.get("rule").asText());
        }
    }

    @Test
    void filtersTheResponseOfEveryRuleByAnAllowList() {
        assertThat(PolicyCaseTable.rulesWithoutResponseAllowList(GiteaPolicyBypassTest.class, POLICY)).isEmpty();
    }

    @Test
    void exercisesEveryRuleWithAnAllowedCase() {
        assertThat(PolicyCaseTable.read(GiteaPolicyBypassTest.class, "/policy-cases.yaml").coveredRestRules())
            .containsExactlyInAnyOrderElementsOf(PolicyCaseTable.declaredRestRules(GiteaPolicyBypassTest.class, POLICY));
    }
}
