package dev.atlas.policies;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The allow-list for one app's proxied VCS API calls: GraphQL documents and REST requests. Everything a policy does
 * not allow is denied. Immutable and thread-safe; parse once, check many times.
 *
 * <p>The file format is described in {@code policies/README.md}.
 */
public final class ApiPolicy {

    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
        .build();

    private final String source;
    private final GraphqlPolicy graphql;
    private final RestPolicy rest;

    private ApiPolicy(String source, GraphqlPolicy graphql, RestPolicy rest) {
        this.source = source;
        this.graphql = graphql;
        this.rest = rest;
    }

    /**
     * Reads a policy file.
     *
     * @param policyYaml the policy text
     * @param graphqlSdl the GraphQL schema subset the field rules refer to; required when the policy enables GraphQL
     * @param source     where the text came from (a file path or {@code built-in:github}); named in every error
     * @throws PolicyException naming {@code source} and the key at fault: unknown keys, bad values, fields or types
     *                         the schema subset does not have, an invalid schema subset
     */
    public static ApiPolicy parse(String policyYaml, Optional<String> graphqlSdl, String source) throws PolicyException {
        JsonNode tree;
        try {
            tree = YAML.readTree(policyYaml == null ? "" : policyYaml);
        } catch (JsonProcessingException e) {
            String message = String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " ");
            throw new PolicyException(source + ": not valid YAML: " + Texts.clip(message, 200), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new PolicyException(source + ": the policy is empty");
        }
        ConfigNode root = new ConfigNode(tree, "", source).requireKeys("version", "description", "graphql", "rest");
        ConfigNode version = root.required("version");
        if (version.intValue(1, 1) != 1) {
            throw version.error("must be 1");
        }
        if (root.child("description").isPresent()) {
            root.required("description").text();
        }
        GraphqlPolicy graphql = root.child("graphql").isPresent()
            ? GraphqlPolicy.read(root.required("graphql"), graphqlSdl, source) : GraphqlPolicy.disabled();
        RestPolicy rest = root.child("rest").isPresent() ? RestPolicy.read(root.required("rest")) : RestPolicy.none();
        return new ApiPolicy(source, graphql, rest);
    }

    /** Where this policy was read from, as given to {@link #parse}. */
    public String source() {
        return source;
    }

    /**
     * Decides on the raw body of a {@code POST /vcs/graphql}: {@code {"query": ..., "operationName": ...,
     * "variables": ...}}. The decision depends on the document alone: variables cannot widen it, and every branch
     * of {@code @include}/{@code @skip} is checked. An allowed decision carries {@link Decision#forwardBody()}, the
     * body to send upstream instead of this one: Atlas's own print of the checked document with the checked variables
     * and operationName, so that the VCS's parser never reads the caller's text. Never throws; an unexpected failure
     * denies.
     */
    public Decision checkGraphql(String requestBodyJson) {
        try {
            return graphql.check(requestBodyJson);
        } catch (RuntimeException | StackOverflowError e) {
            return Decision.deny("error", "the request could not be checked, so it is denied");
        }
    }

    /**
     * Decides on a REST call. Never throws; an unexpected failure denies.
     *
     * @param method         the HTTP method as received (case matters: {@code get} is not {@code GET})
     * @param rawPath        the still-percent-encoded path after {@code /vcs/rest}, e.g. {@code /repos/acme/api/pulls/7}
     * @param rawQuery       the raw query string without {@code ?}, or {@code null}
     * @param acceptHeaders  every {@code Accept} header value received (none means {@code application/json})
     * @param requestHeaders all request headers, for the method-override check (names in any case)
     * @return the decision; when allowed, {@link Decision#redactions()} lists what to remove from the response
     */
    public Decision checkRest(String method, String rawPath, String rawQuery, List<String> acceptHeaders,
            Map<String, List<String>> requestHeaders) {
        return checkRest(method, rawPath, rawQuery, acceptHeaders, requestHeaders, new byte[0]);
    }

    /**
     * Decides on a REST call with its body. A non-empty body must be a JSON object ({@code Content-Type:
     * application/json}, else 415; a key given twice, 400) holding only the fields the matching rule's {@code body}
     * names, with its constrained fields absent or the path's own (else 403). When allowed,
     * {@link Decision#forward()} holds what to send upstream: the checked body re-serialised and the {@code Accept}
     * header as Atlas re-wrote it. Never throws; an unexpected failure denies.
     *
     * @param requestHeaders all request headers: the method-override check and {@code Content-Type}
     * @param body           the raw request body; empty or {@code null} for none
     */
    public Decision checkRest(String method, String rawPath, String rawQuery, List<String> acceptHeaders,
            Map<String, List<String>> requestHeaders, byte[] body) {
        try {
            return rest.check(method, rawPath, rawQuery, acceptHeaders, requestHeaders, body);
        } catch (RuntimeException | StackOverflowError e) {
            return Decision.deny("error", "the request could not be checked, so it is denied");
        }
    }
}
