package dev.atlas.vcs.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.atlas.policies.ApiPolicy;
import dev.atlas.policies.Decision;
import dev.atlas.policies.Redactor;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.UnExecutableSchemaGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern REPEAT = Pattern.compile("\\$\\{repeat:(\\d+):(.*?)}");

    private static ApiPolicy policy;
    private static JsonNode cases;

    @BeforeAll
    static void loadShippedPolicyAndCases() throws Exception {
        policy = ApiPolicy.parse(resource("/atlas/policy/github.yaml"), Optional.of(resource("/atlas/policy/github.graphqls")),
            "built-in:github");
        cases = new YAMLMapper().readTree(resource("/policy-cases.yaml"));
    }

    static Stream<Arguments> graphqlCases() throws Exception {
        loadShippedPolicyAndCases();
        return named(cases.get("graphql"));
    }

    static Stream<Arguments> restCases() throws Exception {
        loadShippedPolicyAndCases();
        return named(cases.get("rest"));
    }

    static Stream<Arguments> redactionCases() throws Exception {
        loadShippedPolicyAndCases();
        return named(cases.get("redactions"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphqlCases")
    void answersEachGraphqlCaseWithItsExpectedStatus(String name, JsonNode c) throws Exception {
        Decision decision = policy.checkGraphql(graphqlBody(c));

        assertExpected(decision, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restCases")
    void answersEachRestCaseWithItsExpectedStatus(String name, JsonNode c) {
        Decision decision = policy.checkRest(c.get("method").asText(), c.get("path").asText(), text(c, "query"),
            strings(c.get("accept")), headers(c.get("headers")));

        assertExpected(decision, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redactionCases")
    void removesPatchesFromResponsesOfRulesThatRedact(String name, JsonNode c) throws Exception {
        Decision decision = policy.checkRest("GET", c.get("path").asText(), null, List.of(), Map.of());
        assertThat(decision.allowed()).as(decision.reason()).isTrue();

        byte[] redacted = Redactor.redact(c.get("response").asText().getBytes(StandardCharsets.UTF_8), decision.redactions());

        assertThat(JSON.readTree(redacted)).isEqualTo(JSON.readTree(c.get("expected").asText()));
        assertThat(new String(redacted, StandardCharsets.UTF_8)).doesNotContain("patch", "p\\u0061tch");
    }

    @Test
    void holdsAtLeastFortyBypassAttemptsAndTheRealisticAllowedCalls() {
        List<JsonNode> all = new ArrayList<>();
        cases.get("graphql").forEach(all::add);
        cases.get("rest").forEach(all::add);
        long denied = all.stream().filter(c -> c.get("expect").asInt() != 200).count();
        long allowed = all.stream().filter(c -> c.get("expect").asInt() == 200).count();

        assertThat(denied).isGreaterThanOrEqualTo(40);
        assertThat(allowed).isGreaterThanOrEqualTo(20);
    }

    @Test
    void exercisesEveryRestRuleOfTheShippedPolicyWithAnAllowedCase() throws Exception {
        Set<String> covered = new HashSet<>();
        for (JsonNode c : cases.get("rest")) {
            if (c.get("expect").asInt() == 200 && c.has("rule")) {
                covered.add(c.get("rule").asText());
            }
        }
        Set<String> declared = new HashSet<>();
        new YAMLMapper().readTree(resource("/atlas/policy/github.yaml")).get("rest").get("rules")
            .forEach(rule -> declared.add(rule.get("id").asText()));

        assertThat(covered).containsExactlyInAnyOrderElementsOf(declared);
    }

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({
        "Blob, text", "Repository, object", "Commit, file", "Commit, tree", "Tree, entries", "TreeEntry, object",
        "Ref, target", "Ref, compare", "Comparison, headTarget", "Comparison, baseTarget", "Tag, target", "Query, node",
        "Query, nodes", "PullRequestReviewComment, diffHunk", "GistFile, text", "User, gists", "Mutation, createCommitOnBranch",
    })
    void recognisesEveryContentPathInTheSchemaSubsetSoItIsDeniedByName(String type, String field) {
        GraphQLSchema schema = UnExecutableSchemaGenerator.makeUnExecutableSchema(
            new SchemaParser().parse(resource("/atlas/policy/github.graphqls")));

        assertThat(((GraphQLFieldsContainer) schema.getType(type)).getFieldDefinition(field)).isNotNull();
    }

    private static void assertExpected(Decision decision, JsonNode c) {
        int expected = c.get("expect").asInt();
        assertThat(decision.status()).as("status; decision was %s", decision).isEqualTo(expected);
        assertThat(decision.allowed()).isEqualTo(expected == 200);
        if (expected != 200) {
            assertThat(decision.error()).isEqualTo(expected == 400 ? Decision.INVALID_REQUEST : Decision.POLICY_DENIED);
            assertThat(decision.reason()).hasSizeLessThan(400);
        }
        if (c.has("rule")) {
            assertThat(decision.rule()).as("rule; reason was %s", decision.reason()).isEqualTo(c.get("rule").asText());
        }
    }

    private static String graphqlBody(JsonNode c) throws IOException {
        if (c.has("body")) {
            return c.get("body").asText();
        }
        ObjectNode body = JSON.createObjectNode().put("query", expand(c.get("query").asText()));
        if (c.has("operationName")) {
            body.put("operationName", c.get("operationName").asText());
        }
        if (c.has("variables")) {
            body.set("variables", c.get("variables"));
        }
        return JSON.writeValueAsString(body);
    }

    /** Expands {@code ${repeat:N:TEXT}}: TEXT N times, {@code #} replaced by the repetition's index. */
    static String expand(String text) {
        Matcher m = REPEAT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            StringBuilder repeated = new StringBuilder();
            for (int i = 0; i < Integer.parseInt(m.group(1)); i++) {
                repeated.append(m.group(2).replace("#", Integer.toString(i)));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(repeated.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Stream<Arguments> named(JsonNode list) {
        List<Arguments> arguments = new ArrayList<>();
        list.forEach(c -> arguments.add(Arguments.of(c.get("name").asText(), c)));
        return arguments.stream();
    }

    private static String text(JsonNode c, String key) {
        return c.hasNonNull(key) ? c.get(key).asText() : null;
    }

    private static List<String> strings(JsonNode list) {
        List<String> values = new ArrayList<>();
        if (list != null) {
            list.forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    private static Map<String, List<String>> headers(JsonNode map) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (map != null) {
            map.fields().forEachRemaining(e -> headers.put(e.getKey(), strings(e.getValue())));
        }
        return headers;
    }

    private static String resource(String name) {
        try (InputStream in = GithubPolicyBypassTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
