package dev.atlas.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.policies.ApiPolicy;
import dev.atlas.policies.Decision;
import graphql.language.Document;
import graphql.parser.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time for the shipped GitHub policy to decide on three realistic analysis-cloud queries, against the time
 * graphql-java's {@link Parser#parse(String)} alone takes on the same query text. The decision includes reading the
 * JSON body, parsing the document, checking it, and printing the canonical document and JSON body that are forwarded
 * instead of the caller's bytes, so {@code parse} is its floor; the target is at most twice that, and under 100 µs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PolicyDecisionBenchmark {

    static final Map<String, String> QUERIES = Map.of(
        "viewer", "query { viewer { login } }",
        "repository", """
            query Repo($owner: String!, $name: String!) {
              repository(owner: $owner, name: $name) {
                id name nameWithOwner isPrivate
                defaultBranchRef { name target { oid } }
              }
            }""",
        "pullRequests", """
            query OpenPulls($owner: String!, $name: String!, $cursor: String) {
              repository(owner: $owner, name: $name) {
                pullRequests(first: 50, after: $cursor, states: [OPEN], orderBy: {field: UPDATED_AT, direction: DESC}) {
                  totalCount
                  pageInfo { hasNextPage endCursor }
                  nodes {
                    id number title state url headRefName baseRefName headRefOid baseRefOid
                    author { login } createdAt updatedAt
                    ...Timestamps
                  }
                }
              }
            }
            fragment Timestamps on PullRequest { mergedAt closedAt isDraft }""");

    @Param({"viewer", "repository", "pullRequests"})
    public String query;

    private ApiPolicy policy;
    private String text;
    private String body;

    @Setup
    public void load() throws Exception {
        policy = ApiPolicy.parse(resource("/atlas/policy/github.yaml"), Optional.of(resource("/atlas/policy/github.graphqls")),
            "built-in:github");
        text = QUERIES.get(query);
        body = new ObjectMapper().writeValueAsString(Map.of(
            "query", text, "variables", Map.of("owner", "acme", "name", "api")));
        Decision decision = policy.checkGraphql(body);
        if (!decision.allowed() || decision.forwardBody().isEmpty()) {
            throw new IllegalStateException("benchmark query is denied or has nothing to forward: " + decision.reason());
        }
    }

    /** The whole decision on the raw HTTP body, the printed body to forward included. */
    @Benchmark
    public Decision decide() {
        return policy.checkGraphql(body);
    }

    /** graphql-java's parser alone, with its default options, on the query text. */
    @Benchmark
    public Document parse() {
        return Parser.parse(text);
    }

    static String resource(String name) {
        try (InputStream in = PolicyDecisionBenchmark.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
