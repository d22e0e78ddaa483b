package dev.atlas.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.atlas.policies.ApiPolicy;
import dev.atlas.policies.Decision;
import dev.atlas.policies.PolicyException;
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
import org.junit.jupiter.params.provider.Arguments;

/**
 * A plugin's policy case table ({@code policy-cases*.yaml} in its test resources, format described at the top of
 * vcs-github's {@code policy-cases.yaml}) and the steps every {@code *PolicyBypassTest} takes with it: read the
 * sections, turn a case into a GraphQL body or REST check, and assert the decision the case expects. Resources are
 * read through the owning test class, so each plugin's own tables and shipped policy files are used.
 */
public final class PolicyCaseTable {
    /** The section of REST cases with request bodies and Accept tricks (issue 13), read like {@code rest}. */
    public static final String WRITES_AND_ACCEPT = "restWritesAndAccept";
    /**
     * The section of GraphQL parser-differential cases (issue 13): {@code graphql} cases that may also name the exact
     * {@code forwarded} query the VCS must receive.
     */
    public static final String GRAPHQL_DIFFERENTIALS = "graphql-differentials";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GRAPHQL_STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    /** A key given twice in a case would silently replace the first: the tables refuse it, like the policies do. */
    private static final YAMLMapper YAML = YAMLMapper.builder()
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** The text the upstream answers of redaction cases put into every field that must not come back. */
    public static final String SECRET_MARKER = "SECRET-MARKER";
    private static final Pattern REPEAT = Pattern.compile("\\$\\{repeat:(\\d+):(.*?)}");

    private final JsonNode root;

    private PolicyCaseTable(JsonNode root) {
        this.root = root;
    }

    /** Reads the table {@code resource} (for example {@code /policy-cases.yaml}) from {@code owner}'s class path. */
    public static PolicyCaseTable read(Class<?> owner, String resource) {
        return new PolicyCaseTable(yaml(owner, resource));
    }

    /** The cases of one section ({@code graphql}, {@code rest} or {@code redactions}), in table order. */
    public List<JsonNode> cases(String section) {
        JsonNode list = root.get(section);
        if (list == null) {
            throw new IllegalStateException("case table has no section " + section);
        }
        List<JsonNode> cases = new ArrayList<>();
        list.forEach(cases::add);
        return cases;
    }

    /** The section as {@code @MethodSource} arguments: the case's name, then the case. */
    public Stream<Arguments> named(String section) {
        return cases(section).stream().map(c -> Arguments.of(c.get("name").asText(), c));
    }

    /** The section as arguments for a test over several tables: {@code "policy: name"}, the policy id, the case. */
    public Stream<Arguments> named(String section, String policy) {
        return cases(section).stream().map(c -> Arguments.of(policy + ": " + c.get("name").asText(), policy, c));
    }

    /** The rules the allowed ({@code 200}) REST cases name; fails if an allowed case does not name its rule. */
    public Set<String> coveredRestRules() {
        Set<String> covered = new HashSet<>();
        for (JsonNode c : cases("rest")) {
            if (c.get("expect").asInt() == 200) {
                if (!c.has("rule")) {
                    throw new AssertionError("allowed case '" + c.get("name").asText() + "' names no rule");
                }
                covered.add(c.get("rule").asText());
            }
        }
        return covered;
    }

    /** The rules the allowed ({@code 200}) REST cases name, passing over allowed cases that name none. */
    public Set<String> coveredRestRulesSkippingUnnamed() {
        Set<String> covered = new HashSet<>();
        for (JsonNode c : cases("rest")) {
            if (c.get("expect").asInt() == 200 && c.has("rule")) {
                covered.add(c.get("rule").asText());
            }
        }
        return covered;
    }

    /** The ids of the REST rules declared in the shipped {@code /atlas/policy/{policy}.yaml}. */
    public static Set<String> declaredRestRules(Class<?> owner, String policy) {
        Set<String> declared = new HashSet<>();
        yaml(owner, "/atlas/policy/" + policy + ".yaml").get("rest").get("rules").forEach(r -> declared.add(r.get("id").asText()));
        return declared;
    }

    /**
     * The ids of the REST rules of the shipped {@code /atlas/policy/{policy}.yaml} that have no response allow-list
     * ({@code response.allow}): the built-ins are default-deny on responses, so this should be empty.
     */
    public static Set<String> rulesWithoutResponseAllowList(Class<?> owner, String policy) {
        Set<String> open = new HashSet<>();
        yaml(owner, "/atlas/policy/" + policy + ".yaml").get("rest").get("rules").forEach(r -> {
            if (!r.path("response").path("allow").isArray()) {
                open.add(r.get("id").asText());
            }
        });
        return open;
    }

    /** The ids of the write rules (any method but GET) of the shipped policy that declare no {@code body} fields. */
    public static Set<String> writeRulesWithoutBodyFields(Class<?> owner, String policy) {
        Set<String> missing = new HashSet<>();
        yaml(owner, "/atlas/policy/" + policy + ".yaml").get("rest").get("rules").forEach(r -> {
            if (!r.get("method").asText().equals("GET") && !r.path("body").path("fields").isArray()) {
                missing.add(r.get("id").asText());
            }
        });
        return missing;
    }

    /** The shipped {@code /atlas/policy/{policy}.yaml}, without a GraphQL schema subset. */
    public static ApiPolicy shippedPolicy(Class<?> owner, String policy) throws PolicyException {
        return ApiPolicy.parse(resource(owner, "/atlas/policy/" + policy + ".yaml"), Optional.empty(), "built-in:" + policy);
    }

    /** The shipped {@code /atlas/policy/{policy}.yaml} with its schema subset {@code {policy}.graphqls}. */
    public static ApiPolicy shippedPolicyWithSchema(Class<?> owner, String policy) throws PolicyException {
        return ApiPolicy.parse(resource(owner, "/atlas/policy/" + policy + ".yaml"),
            Optional.of(resource(owner, "/atlas/policy/" + policy + ".graphqls")), "built-in:" + policy);
    }

    /**
     * The JSON body a GraphQL case sends: its {@code body} as it is (for malformed JSON), or its {@code query} (with
     * {@code ${repeat:N:TEXT}} expanded) plus any {@code operationName} and {@code variables}.
     */
    public static String graphqlBody(JsonNode c) throws IOException {
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
    public static String expand(String text) {
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

    /**
     * {@code policy}'s decision on a REST case: its method, path, optional query, Accept values, headers and body
     * ({@link #restBody}, sent with {@link #restContentType}).
     */
    public static Decision checkRest(ApiPolicy policy, JsonNode c) {
        Map<String, List<String>> headers = headers(c.get("headers"));
        restContentType(c).ifPresent(type -> headers.put("Content-Type", List.of(type)));
        return policy.checkRest(c.get("method").asText(), c.get("path").asText(),
            c.hasNonNull("query") ? c.get("query").asText() : null, strings(c.get("accept")), headers,
            restBody(c).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The body a REST case sends: its {@code body} text as it is (JSON or anything else, with {@code ${repeat:N:TEXT}}
     * expanded), or its {@code json} value written as JSON; empty when it has neither.
     */
    public static String restBody(JsonNode c) {
        if (c.hasNonNull("body")) {
            return expand(c.get("body").asText());
        }
        if (c.has("json")) {
            try {
                return JSON.writeValueAsString(c.get("json"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return "";
    }

    /**
     * The {@code Content-Type} a REST case sends: its {@code contentType}, where {@code none} sends no header;
     * {@code application/json} for a case with a body that names none; nothing for a case without a body.
     */
    public static Optional<String> restContentType(JsonNode c) {
        if (c.hasNonNull("contentType")) {
            String type = c.get("contentType").asText();
            return type.equals("none") ? Optional.empty() : Optional.of(type);
        }
        return restBody(c).isEmpty() ? Optional.empty() : Optional.of("application/json");
    }

    /**
     * Asserts a redaction case: its {@code method} (default {@code GET}) on {@code path} is allowed, and its
     * {@code response} (an answer of HTTP {@code status}, default 200) filtered by that decision's allow-list and
     * redactions equals its {@code expected} JSON, with no {@code SECRET-MARKER} left in it; or, for a case with
     * {@code refused: true}, the filter refuses the answer (it must then not be passed on at all).
     *
     * @return the filtered response (empty for a refused one), for further assertions
     */
    public static byte[] assertRedacts(ApiPolicy policy, JsonNode c) throws IOException {
        String method = c.has("method") ? c.get("method").asText() : "GET";
        Decision decision = policy.checkRest(method, c.get("path").asText(), null, List.of(), Map.of());
        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        int status = c.has("status") ? c.get("status").asInt() : 200;
        byte[] upstream = c.get("response").asText().getBytes(StandardCharsets.UTF_8);

        if (c.path("refused").asBoolean(false)) {
            assertThatThrownBy(() -> decision.response().apply(status, upstream)).isInstanceOf(IllegalArgumentException.class);
            return new byte[0];
        }
        byte[] redacted = decision.response().apply(status, upstream);

        assertThat(JSON.readTree(redacted)).isEqualTo(JSON.readTree(c.get("expected").asText()));
        assertThat(new String(redacted, StandardCharsets.UTF_8)).doesNotContain(SECRET_MARKER);
        return redacted;
    }

    /**
     * Asserts the case's {@code expect} status (200 allowed, anything else denied) and, if given, its {@code rule}, and
     * for an allowed REST case its {@code forwardedJson} (the body Atlas forwards, compared as JSON) and
     * {@code forwardedAccept} (the Accept header Atlas forwards).
     */
    public static void assertExpected(Decision decision, JsonNode c) {
        int expected = c.get("expect").asInt();
        assertThat(decision.status()).as("status; decision was %s", decision).isEqualTo(expected);
        assertThat(decision.allowed()).isEqualTo(expected == 200);
        if (c.has("rule")) {
            assertThat(decision.rule()).as("rule; reason was %s", decision.reason()).isEqualTo(c.get("rule").asText());
        }
        assertForwarded(decision, c);
    }

    /** Asserts what an allowed REST case forwards, where the case says ({@code forwardedJson}, {@code forwardedAccept}). */
    public static void assertForwarded(Decision decision, JsonNode c) {
        if (c.has("forwardedJson")) {
            assertThat(decision.forward().body()).as("forwarded body").isNotNull();
            try {
                assertThat(JSON.readTree(decision.forward().body())).isEqualTo(c.get("forwardedJson"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (c.has("forwardedAccept")) {
            assertThat(decision.forward().accept()).isEqualTo(c.get("forwardedAccept").asText());
        }
    }

    /**
     * {@link #assertExpected}, and a denial must also carry the error code for its status ({@code invalid_request} for
     * 400, {@code policy_denied} otherwise) and a reason shorter than 400 characters.
     */
    public static void assertExpectedWithErrorCode(Decision decision, JsonNode c) {
        int expected = c.get("expect").asInt();
        assertThat(decision.status()).as("status; decision was %s", decision).isEqualTo(expected);
        assertThat(decision.allowed()).isEqualTo(expected == 200);
        if (expected != 200) {
            assertThat(decision.error()).isEqualTo(expected == 400 ? Decision.INVALID_REQUEST
                : expected == 415 ? Decision.UNSUPPORTED_MEDIA_TYPE : Decision.POLICY_DENIED);
            assertThat(decision.reason()).hasSizeLessThan(400);
        }
        if (c.has("rule")) {
            assertThat(decision.rule()).as("rule; reason was %s", decision.reason()).isEqualTo(c.get("rule").asText());
        }
        assertForwarded(decision, c);
    }

    /**
     * Asserts that {@code forwardedBody}, the JSON body Atlas sends upstream for an allowed GraphQL case, is Atlas's
     * canonical form: keys {@code query} (first), {@code variables}, {@code operationName} only, the whole body
     * printable ASCII, the document without a comment or a block string, and equal to the case's {@code forwarded}
     * query when it names one.
     *
     * @return the forwarded document
     */
    public static String assertCanonicalForward(String forwardedBody, JsonNode c) throws IOException {
        assertThat(forwardedBody.chars()).as("forwarded body is printable ASCII").allMatch(ch -> ch >= 0x20 && ch < 0x7F);
        JsonNode sent = JSON.readTree(forwardedBody);
        List<String> keys = new ArrayList<>();
        sent.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).isSubsetOf("query", "variables", "operationName").startsWith("query");
        String document = sent.get("query").asText();
        assertThat(document.chars()).as("document is printable ASCII").allMatch(ch -> ch >= 0x20 && ch < 0x7F);
        assertThat(document).doesNotContain("\"\"\"");
        assertThat(GRAPHQL_STRING.matcher(document).replaceAll("S")).as("outside its strings").doesNotContain("#", "\"");
        if (c.has("forwarded")) {
            assertThat(document).isEqualTo(c.get("forwarded").asText());
        }
        return document;
    }

    /** The text of resource {@code name} on {@code owner}'s class path; a missing resource is an error. */
    public static String resource(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode yaml(Class<?> owner, String name) {
        try {
            return YAML.readTree(resource(owner, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
}
