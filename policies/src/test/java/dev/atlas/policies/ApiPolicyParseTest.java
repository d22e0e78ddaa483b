package dev.atlas.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApiPolicyParseTest {

    static Stream<Arguments> invalidPolicies() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        new YAMLMapper().readTree(PolicyFixtures.resource("invalid-policies.yaml")).forEach(c -> cases.add(
            Arguments.of(c.get("name").asText(), c.get("policy").asText(), c.get("message").asText())));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPolicies")
    void rejectsAnInvalidPolicyNamingTheFileAndTheKey(String why, String yaml, String message) {
        assertThatThrownBy(() -> ApiPolicy.parse(yaml, Optional.of(PolicyFixtures.schema()), "policy.yaml"))
            .isInstanceOf(PolicyException.class)
            .hasMessageStartingWith(message);
    }

    @Test
    void requiresASchemaSubsetWhenGraphqlIsEnabled() {
        assertThatThrownBy(() -> ApiPolicy.parse("version: 1\ngraphql: {allow: []}\n", Optional.empty(), "gitlab.yaml"))
            .isInstanceOf(PolicyException.class)
            .hasMessageStartingWith("gitlab.yaml: graphql: needs a GraphQL schema subset");
    }

    @Test
    void acceptsGraphqlSwitchedOffWithoutASchema() throws PolicyException {
        ApiPolicy policy = ApiPolicy.parse("version: 1\ngraphql: {enabled: false}\n", Optional.empty(), "gitlab.yaml");

        assertThat(policy.checkGraphql("{\"query\": \"{ a }\"}").rule()).isEqualTo("graphql-disabled");
        assertThat(policy.source()).isEqualTo("gitlab.yaml");
    }

    @Test
    void rejectsAnInvalidSchemaSubsetNamingTheFile() {
        assertThatThrownBy(() -> ApiPolicy.parse("version: 1\ngraphql: {}\n", Optional.of("type Query { a: Missing }"), "x.yaml"))
            .isInstanceOf(PolicyException.class)
            .hasMessageStartingWith("x.yaml: GraphQL schema subset is invalid");
    }

    @Test
    void clipsAHugeUnknownKeyInTheMessage() {
        String key = "k".repeat(500);

        assertThatThrownBy(() -> ApiPolicy.parse("version: 1\n" + key + ": 1\n", Optional.empty(), "p.yaml"))
            .hasMessageStartingWith("p.yaml: " + "k".repeat(64) + "...: unknown key");
    }
}
