package dev.atlas.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.policies.ApiPolicy;
import graphql.parser.Parser;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decision time against parse time measured in alternating batches, so that load from other processes on a shared
 * machine falls on both alike; the medians' ratio is then meaningful where separate JMH runs are not. Not a JMH
 * benchmark: run with {@code java -cp bench/target/benchmarks.jar dev.atlas.bench.InterleavedComparison}.
 */
public final class InterleavedComparison {

    private static final int WARMUP_ROUNDS = 20_000;
    private static final int ROUNDS = 60;
    private static final int BATCH = 500;

    private InterleavedComparison() {
    }

    public static void main(String[] args) throws Exception {
        ApiPolicy policy = ApiPolicy.parse(PolicyDecisionBenchmark.resource("/atlas/policy/github.yaml"),
            Optional.of(PolicyDecisionBenchmark.resource("/atlas/policy/github.graphqls")), "built-in:github");
        ObjectMapper json = new ObjectMapper();
        long sink = 0;
        System.out.println("query         decide median (us)  parse median (us)  decide/parse");
        for (String name : List.of("viewer", "repository", "pullRequests")) {
            String text = PolicyDecisionBenchmark.QUERIES.get(name);
            String body = json.writeValueAsString(Map.of("query", text, "variables", Map.of("owner", "acme", "name", "api")));
            if (!policy.checkGraphql(body).allowed()) {
                throw new IllegalStateException(name + " is denied");
            }
            for (int i = 0; i < WARMUP_ROUNDS; i++) {
                sink += policy.checkGraphql(body).status() + Parser.parse(text).getDefinitions().size();
            }
            long[] decide = new long[ROUNDS];
            long[] parse = new long[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < BATCH; i++) {
                    sink += policy.checkGraphql(body).status();
                }
                long middle = System.nanoTime();
                for (int i = 0; i < BATCH; i++) {
                    sink += Parser.parse(text).getDefinitions().size();
                }
                decide[round] = (middle - start) / BATCH;
                parse[round] = (System.nanoTime() - middle) / BATCH;
            }
            Arrays.sort(decide);
            Arrays.sort(parse);
            System.out.printf("%-13s %18.1f %18.1f %13.2f%n", name, decide[ROUNDS / 2] / 1000.0, parse[ROUNDS / 2] / 1000.0,
                (double) decide[ROUNDS / 2] / parse[ROUNDS / 2]);
        }
        if (sink == 42) {
            System.out.println();
        }
    }
}
