package dev.atlas.bench;

import dev.atlas.policies.ApiPolicy;
import dev.atlas.policies.Decision;
import dev.atlas.policies.ResponseFilter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * REST decisions of the shipped GitHub policy, for scale next to {@link PolicyDecisionBenchmark}: path
 * normalisation, template match, query and Accept checks; and the response filter of a pull request's file list.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RestDecisionBenchmark {

    private ApiPolicy policy;
    private byte[] files;
    private ResponseFilter response;

    @Setup
    public void load() throws Exception {
        policy = ApiPolicy.parse(PolicyDecisionBenchmark.resource("/atlas/policy/github.yaml"),
            Optional.of(PolicyDecisionBenchmark.resource("/atlas/policy/github.graphqls")), "built-in:github");
        response = policy.checkRest("GET", "/repos/acme/api/pulls/7/files", null, List.of(), Map.of()).response();
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 30; i++) {
            json.append(i == 0 ? "" : ",").append("{\"sha\":\"abc").append(i).append("\",\"filename\":\"src/File").append(i)
                .append(".java\",\"status\":\"modified\",\"additions\":12,\"deletions\":3,\"changes\":15,")
                .append("\"patch\":\"@@ -1,3 +1,12 @@\\n-old line\\n+new line\\n+another line\\n context\"}");
        }
        files = json.append("]").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An allowed call with a query string and an Accept header. */
    @Benchmark
    public Decision decide() {
        return policy.checkRest("GET", "/repos/acme/api/pulls/7/files", "per_page=100",
            List.of("application/vnd.github+json"), Map.of("User-Agent", List.of("asgard")));
    }

    /** Filtering a 30-file response (about 6 KB) through the rule's allow-list (which drops every patch). */
    @Benchmark
    public byte[] filterFiles() {
        return response.apply(200, files);
    }
}
