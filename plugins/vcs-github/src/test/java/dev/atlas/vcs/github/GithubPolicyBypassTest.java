package dev.atlas.vcs.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.policies.ApiPolicy;
import dev.atlas.policies.Decision;
import dev.atlas.testkit.PolicyCaseTable;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.UnExecutableSchemaGenerator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped GitHub policy ({@code atlas/policy/github.yaml} with {@code github.graphqls}) against the shared case
 * table {@code policy-cases.yaml}: bypass attempts must be denied with the right status, what the analysis cloud
 * needs must be allowed, and patches must be removed from responses.
 */
class GithubPolicyBypassTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ApiPolicy policy;
    private static PolicyCaseTable cases;

    @BeforeAll
    static void loadShippedPolicyAndCases() throws Exception {
        policy = PolicyCaseTable.shippedPolicyWithSchema(GithubPolicyBypassTest.class, "github");
        cases = PolicyCaseTable.read(GithubPolicyBypassTest.class, "/policy-cases.yaml");
    }

    static Stream<Arguments> graphqlCases() throws Exception {
        loadShippedPolicyAndCases();
        return cases.named("graphql");
    }

    static Stream<Arguments> differentialCases() throws Exception {
        loadShippedPolicyAndCases();
        return cases.named(PolicyCaseTable.GRAPHQL_DIFFERENTIALS);
    }

    static Stream<Arguments> restCases() throws Exception {
        loadShippedPolicyAndCases();
        return Stream.concat(cases.named("rest"), cases.named(PolicyCaseTable.WRITES_AND_ACCEPT));
    }

    static Stream<Arguments> redactionCases() throws Exception {
        loadShippedPolicyAndCases();
        return cases.named("redactions");
    }

    static Stream<Arguments> responseCases() throws Exception {
        loadShippedPolicyAndCases();
        return cases.named("responses");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphqlCases")
    void answersEachGraphqlCaseWithItsExpectedStatus(String name, JsonNode c) throws Exception {
        Decision decision = policy.checkGraphql(PolicyCaseTable.graphqlBody(c));

        PolicyCaseTable.assertExpectedWithErrorCode(decision, c);
        if (decision.allowed()) {
            PolicyCaseTable.assertCanonicalForward(decision.forwardBody().orElseThrow(), c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentialCases")
    void refusesEachParserDifferentialOrForwardsOnlyItsCanonicalDocument(String name, JsonNode c) throws Exception {
        Decision decision = policy.checkGraphql(PolicyCaseTable.graphqlBody(c));

        PolicyCaseTable.assertExpectedWithErrorCode(decision, c);
        if (decision.allowed()) {
            String document = PolicyCaseTable.assertCanonicalForward(decision.forwardBody().orElseThrow(), c);
            // printed, parsed and checked again: the same verdict and the same text
            Decision again = policy.checkGraphql(JSON.createObjectNode().put("query", document).toString());
            assertThat(again.allowed()).as(again.reason()).isTrue();
            assertThat(JSON.readTree(again.forwardBody().orElseThrow()).get("query").asText()).isEqualTo(document);
        } else {
            assertThat(decision.forwardBody()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restCases")
    void answersEachRestCaseWithItsExpectedStatus(String name, JsonNode c) {
        Decision decision = PolicyCaseTable.checkRest(policy, c);

        PolicyCaseTable.assertExpectedWithErrorCode(decision, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redactionCases")
    void removesPatchesFromResponsesOfRulesThatRedact(String name, JsonNode c) throws Exception {
        byte[] redacted = PolicyCaseTable.assertRedacts(policy, c);

        assertThat(new String(redacted, StandardCharsets.UTF_8)).doesNotContain("patch", "p\\u0061tch");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responseCases")
    void letsOnlyTheRuleAllowListThroughRealisticAnswers(String name, JsonNode c) throws Exception {
        byte[] filtered = PolicyCaseTable.assertRedacts(policy, c);

        assertThat(new String(filtered, StandardCharsets.UTF_8)).doesNotContain("\"patch\"", "temp_clone_token", "\"body_html\"");
    }

    @Test
    void filtersTheResponseOfEveryRuleOfTheShippedPolicyByAnAllowList() {
        assertThat(PolicyCaseTable.rulesWithoutResponseAllowList(GithubPolicyBypassTest.class, "github")).isEmpty();
    }

    @Test
    void holdsAtLeastFortyBypassAttemptsAndTheRealisticAllowedCalls() {
        List<JsonNode> all = new ArrayList<>(cases.cases("graphql"));
        all.addAll(cases.cases("rest"));
        long denied = all.stream().filter(c -> c.get("expect").asInt() != 200).count();
        long allowed = all.stream().filter(c -> c.get("expect").asInt() == 200).count();

        assertThat(denied).isGreaterThanOrEqualTo(40);
        assertThat(allowed).isGreaterThanOrEqualTo(20);
    }

    @Test
    void exercisesEveryRestRuleOfTheShippedPolicyWithAnAllowedCase() {
        assertThat(cases.coveredRestRulesSkippingUnnamed())
            .containsExactlyInAnyOrderElementsOf(PolicyCaseTable.declaredRestRules(GithubPolicyBypassTest.class, "github"));
    }

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({
        "Blob, text", "Repository, object", "Commit, file", "Commit, tree", "Tree, entries", "TreeEntry, object",
        "Ref, target", "Ref, compare", "Comparison, headTarget", "Comparison, baseTarget", "Tag, target", "Query, node",
        "Query, nodes", "PullRequestReviewComment, diffHunk", "GistFile, text", "User, gists", "Mutation, createCommitOnBranch",
    })
    void recognisesEveryContentPathInTheSchemaSubsetSoItIsDeniedByName(String type, String field) {
        GraphQLSchema schema = UnExecutableSchemaGenerator.makeUnExecutableSchema(
            new SchemaParser().parse(PolicyCaseTable.resource(GithubPolicyBypassTest.class, "/atlas/policy/github.graphqls")));

        assertThat(((GraphQLFieldsContainer) schema.getType(type)).getFieldDefinition(field)).isNotNull();
    }

    @Test
    void namesTheBodyFieldsOfEveryWriteRule() {
        assertThat(PolicyCaseTable.writeRulesWithoutBodyFields(GithubPolicyBypassTest.class, "github")).isEmpty();
    }
}
