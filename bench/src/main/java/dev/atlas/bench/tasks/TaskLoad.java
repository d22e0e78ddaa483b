package dev.atlas.bench.tasks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load for the task API (SPEC §6): posts analysis tasks to a running Atlas from several threads, as the cloud would
 * (HS256 bearer JWT), and reports tasks accepted per second and the latency of {@code POST /api/tasks/{id}} until
 * the driver accepted (p50, p99, max). JDK only, so it runs from {@code bench/target/classes} without the JMH jar.
 *
 * <pre>
 * java -cp bench/target/classes dev.atlas.bench.tasks.TaskLoad --url http://127.0.0.1:8080 \
 *     --secret-file secrets/cloud-jwt-secret --audience bench-runner --app gl-bench \
 *     --clone-url https://gitlab.example/acme/widgets.git --result-url https://asgard.example/results \
 *     --tasks 5000 --threads 8
 * </pre>
 */
public final class TaskLoad {
    private TaskLoad() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        String url = options.getOrDefault("url", "http://127.0.0.1:8080");
        String secret = java.nio.file.Files.readString(java.nio.file.Path.of(options.get("secret-file"))).trim();
        int tasks = Integer.parseInt(options.getOrDefault("tasks", "2000"));
        int threads = Integer.parseInt(options.getOrDefault("threads", "8"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "300"));
        String body = task(options.get("app"), options.get("clone-url"), options.get("result-url"));
        String audience = options.getOrDefault("audience", "bench-runner");

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        run(http, url, secret, audience, body, warmup, threads, new ArrayList<>());
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        AtomicInteger failed = run(http, url, secret, audience, body, tasks, threads, latencies);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("tasks: %d accepted, %d failed in %.2f s with %d threads%n", sorted.size(), failed.get(),
            seconds, threads);
        System.out.printf("throughput: %.0f tasks/s%n", sorted.size() / seconds);
        System.out.printf("POST latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", percentile(sorted, 0.50),
            percentile(sorted, 0.99), sorted.isEmpty() ? 0.0 : sorted.get(sorted.size() - 1) / 1e6);
    }

    private static AtomicInteger run(HttpClient http, String url, String secret, String audience, String body,
        int count, int threads, List<Long> latencies) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                String token = "Bearer " + jwt(secret, audience);
                while (next.getAndIncrement() < count) {
                    String id = "bench-" + UUID.randomUUID();
                    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/tasks/" + id))
                        .header("Authorization", token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    long begin = System.nanoTime();
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    long took = System.nanoTime() - begin;
                    if (response.statusCode() == 201) {
                        latencies.add(took);
                    } else if (failed.incrementAndGet() <= 3) {
                        System.err.println("HTTP " + response.statusCode() + ": " + response.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        return failed;
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }

    private static String task(String app, String cloneUrl, String resultUrl) {
        return """
            {"type": "analysis", "appId": "%s",
             "repository": {"cloneUrl": "%s", "ref": "main", "sha": "0123456789abcdef0123456789abcdef01234567"},
             "resultUrl": "%s",
             "analyzers": [{"name": "noop", "image": "busybox:1.36", "command": ["true"], "cpu": "100m",
                            "memory": "64Mi"}]}
            """.formatted(app, cloneUrl, resultUrl);
    }

    /** An HS256 JWT valid for ten minutes (the longest the cloud authenticator accepts). */
    static String jwt(String secret, String audience) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"sub\":\"bench\",\"aud\":\"" + audience + "\",\"exp\":" + (now + 540)
            + "}").getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = b64.encodeToString(mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));
        return header + "." + claims + "." + signature;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return options;
    }
}
