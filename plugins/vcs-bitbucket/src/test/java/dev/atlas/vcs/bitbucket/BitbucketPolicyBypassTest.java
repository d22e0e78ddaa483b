package dev.atlas.vcs.bitbucket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.policies.Decision;
import dev.atlas.testkit.PolicyCaseTable;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped Bitbucket Cloud and Data Center policies against their case tables (same format as vcs-github's {@code policy-cases.yaml}):
 * content and diff endpoints denied, what the analysis cloud needs allowed, diffs removed from responses.
 */
class BitbucketPolicyBypassTest {

    /** Each shipped policy with its case table. */
    private static final Map<String, String> TABLES = Map.of(
        "bitbucket", "/policy-cases-bitbucket.yaml",
        "bitbucket-dc", "/policy-cases-bitbucket-dc.yaml");

    static Stream<Arguments> cases(String section) {
        return TABLES.entrySet().stream()
            .flatMap(t -> PolicyCaseTable.read(BitbucketPolicyBypassTest.class, t.getValue()).named(section, t.getKey()));
    }

    static Stream<Arguments> graphqlCases() {
        return cases("graphql");
    }

    static Stream<Arguments> restCases() {
        return Stream.concat(cases("rest"), cases(PolicyCaseTable.WRITES_AND_ACCEPT));
    }

    static Stream<Arguments> redactionCases() {
        return cases("redactions");
    }

    static Stream<Arguments> responseCases() {
        return cases("responses");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphqlCases")
    void deniesGraphqlForAVcsWithoutASchemaSubset(String name, String policy, JsonNode c) throws Exception {
        Decision decision = PolicyCaseTable.shippedPolicy(BitbucketPolicyBypassTest.class, policy)
            .checkGraphql(PolicyCaseTable.graphqlBody(c));

        PolicyCaseTable.assertExpected(decision, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restCases")
    void answersEachRestCaseWithItsExpectedStatus(String name, String policy, JsonNode c) throws Exception {
        Decision decision = PolicyCaseTable.checkRest(PolicyCaseTable.shippedPolicy(BitbucketPolicyBypassTest.class, policy), c);

        PolicyCaseTable.assertExpected(decision, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redactionCases")
    void removesDiffsFromResponsesOfRulesThatRedact(String name, String policy, JsonNode c) throws Exception {
        PolicyCaseTable.assertRedacts(PolicyCaseTable.shippedPolicy(BitbucketPolicyBypassTest.class, policy), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responseCases")
    void letsOnlyTheRuleAllowListThroughRealisticAnswers(String name, String policy, JsonNode c) throws Exception {
        PolicyCaseTable.assertRedacts(PolicyCaseTable.shippedPolicy(BitbucketPolicyBypassTest.class, policy), c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bitbucket", "bitbucket-dc"})
    void filtersTheResponseOfEveryRuleOfTheShippedPolicyByAnAllowList(String policy) {
        assertThat(PolicyCaseTable.rulesWithoutResponseAllowList(BitbucketPolicyBypassTest.class, policy)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bitbucket", "bitbucket-dc"})
    void exercisesEveryRuleOfTheShippedPolicyWithAnAllowedCase(String policy) {
        assertThat(PolicyCaseTable.read(BitbucketPolicyBypassTest.class, TABLES.get(policy)).coveredRestRules())
            .containsExactlyInAnyOrderElementsOf(PolicyCaseTable.declaredRestRules(BitbucketPolicyBypassTest.class, policy));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bitbucket", "bitbucket-dc"})
    void namesTheBodyFieldsOfEveryWriteRule(String policy) {
        assertThat(PolicyCaseTable.writeRulesWithoutBodyFields(BitbucketPolicyBypassTest.class, policy)).isEmpty();
    }
}
