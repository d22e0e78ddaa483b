package dev.atlas.policies;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The unit tests' policy ({@code people.yaml} over {@code people.graphqls}) and request builders. */
final class PolicyFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PolicyFixtures() {
    }

    static String resource(String name) {
        try (InputStream in = PolicyFixtures.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String schema() {
        return resource("people.graphqls");
    }

    static ApiPolicy people() {
        return parse(resource("people.yaml"));
    }

    static ApiPolicy parse(String yaml) {
        try {
            return ApiPolicy.parse(yaml, Optional.of(schema()), "people.yaml");
        } catch (PolicyException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    static String body(String query) {
        return body(query, null);
    }

    static String body(String query, String operationName) {
        ObjectNode body = JSON.createObjectNode().put("query", query);
        if (operationName != null) {
            body.put("operationName", operationName);
        }
        return body.toString();
    }
}
