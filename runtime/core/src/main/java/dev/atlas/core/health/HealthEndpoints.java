package dev.atlas.core.health;

import dev.atlas.core.http.JsonResponses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * {@code GET /health/live} and {@code GET /health/ready}. Liveness is Camel's liveness checks. Readiness is Camel's
 * readiness checks (context and routes started) plus Atlas's own {@link ReadinessCheck}s, and is 503 from the moment
 * a stop begins.
 */
public final class HealthEndpoints {
    private final CamelContext camel;
    private final Lifecycle lifecycle;
    private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();

    public HealthEndpoints(CamelContext camel, Lifecycle lifecycle) {
        this.camel = camel;
        this.lifecycle = lifecycle;
    }

    public void add(ReadinessCheck check) {
        checks.add(check);
    }

    /** The {@code liveness} processor. */
    public Processor liveness() {
        return exchange -> answer(exchange, camelResults(true), List.of(), false);
    }

    /** The {@code readiness} processor. */
    public Processor readiness() {
        return exchange -> {
            List<Map<String, Object>> own = new ArrayList<>();
            for (ReadinessCheck check : checks) {
                ReadinessCheck.Result result;
                try {
                    result = check.check();
                } catch (RuntimeException e) {
                    result = new ReadinessCheck.Result(false, e.getClass().getSimpleName());
                }
                own.add(entry(check.name(), result.up(), result.detail()));
            }
            answer(exchange, camelResults(false), own, lifecycle.stopping());
        };
    }

    private List<Map<String, Object>> camelResults(boolean live) {
        List<Map<String, Object>> out = new ArrayList<>();
        var results = live ? HealthCheckHelper.invokeLiveness(camel) : HealthCheckHelper.invokeReadiness(camel);
        for (HealthCheck.Result result : results) {
            out.add(entry(result.getCheck().getId(), result.getState() != HealthCheck.State.DOWN,
                result.getMessage().orElse(result.getState().name())));
        }
        return out;
    }

    private static Map<String, Object> entry(String name, boolean up, String detail) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("status", up ? "UP" : "DOWN");
        entry.put("detail", detail);
        return entry;
    }

    private static void answer(Exchange exchange, List<Map<String, Object>> camelChecks,
        List<Map<String, Object>> own, boolean stopping) {
        List<Map<String, Object>> all = new ArrayList<>(camelChecks);
        all.addAll(own);
        if (stopping) {
            all.add(entry("shutdown", false, "stopping"));
        }
        boolean up = all.stream().allMatch(c -> "UP".equals(c.get("status")));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", all);
        JsonResponses.write(exchange, up ? 200 : 503, body);
    }
}
