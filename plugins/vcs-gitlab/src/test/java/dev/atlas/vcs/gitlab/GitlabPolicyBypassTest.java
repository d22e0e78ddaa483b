package dev.atlas.vcs.gitlab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.atlas.policies.ApiPolicy;
import dev.atlas.policies.Decision;
import dev.atlas.policies.PolicyException;
import dev.atlas.policies.Redactor;
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
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped GitLab policies against their case tables (same format as vcs-github's {@code policy-cases.yaml}):
 * content and diff endpoints denied, what the analysis cloud needs allowed, diffs removed from responses.
 */
class GitlabPolicyBypassTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    /** Each shipped policy with its case table. */
    private static final Map<String, String> TABLES = Map.of("gitlab", "/policy-cases.yaml");

    static Stream<Arguments> cases(String section) {
        List<Arguments> arguments = new ArrayList<>();
        TABLES.forEach((policy, table) -> readTree(table).get(section).forEach(c ->
            arguments.add(Arguments.of(policy + ": " + c.get("name").asText(), policy, c))));
        return arguments.stream();
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphqlCases")
    void deniesGraphqlForAVcsWithoutASchemaSubset(String name, String policy, JsonNode c) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("query", c.get("query").asText());

        assertExpected(load(policy).checkGraphql(body.toString()), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restCases")
    void answersEachRestCaseWithItsExpectedStatus(String name, String policy, JsonNode c) throws Exception {
        Decision decision = load(policy).checkRest(c.get("method").asText(), c.get("path").asText(),
            c.hasNonNull("query") ? c.get("query").asText() : null, strings(c.get("accept")), headers(c.get("headers")));

        assertExpected(decision, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redactionCases")
    void removesDiffsFromResponsesOfRulesThatRedact(String name, String policy, JsonNode c) throws Exception {
        Decision decision = load(policy).checkRest("GET", c.get("path").asText(), null, List.of(), Map.of());
        assertThat(decision.allowed()).as(decision.reason()).isTrue();

        byte[] redacted = Redactor.redact(c.get("response").asText().getBytes(StandardCharsets.UTF_8), decision.redactions());

        assertThat(JSON.readTree(redacted)).isEqualTo(JSON.readTree(c.get("expected").asText()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gitlab"})
    void exercisesEveryRuleOfTheShippedPolicyWithAnAllowedCase(String policy) {
        Set<String> covered = new HashSet<>();
        readTree(TABLES.get(policy)).get("rest").forEach(c -> {
            if (c.get("expect").asInt() == 200) {
                covered.add(c.get("rule").asText());
            }
        });
        Set<String> declared = new HashSet<>();
        readTree("/atlas/policy/" + policy + ".yaml").get("rest").get("rules").forEach(r -> declared.add(r.get("id").asText()));

        assertThat(covered).containsExactlyInAnyOrderElementsOf(declared);
    }

    private static ApiPolicy load(String policy) throws PolicyException {
        return ApiPolicy.parse(resource("/atlas/policy/" + policy + ".yaml"), Optional.empty(), "built-in:" + policy);
    }

    private static void assertExpected(Decision decision, JsonNode c) {
        int expected = c.get("expect").asInt();
        assertThat(decision.status()).as("status; decision was %s", decision).isEqualTo(expected);
        assertThat(decision.allowed()).isEqualTo(expected == 200);
        if (c.has("rule")) {
            assertThat(decision.rule()).as("rule; reason was %s", decision.reason()).isEqualTo(c.get("rule").asText());
        }
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

    private static JsonNode readTree(String name) {
        try {
            return YAML.readTree(resource(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = GitlabPolicyBypassTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
