package dev.atlas.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small HTTP load generator for the benchmarks (loopback only). Closed loop ({@code --rate 0}): keeps
 * {@code --concurrency} requests in flight for {@code --duration} and reports throughput. Open loop
 * ({@code --rate N}): sends N requests a second whatever the answers, and reports latency percentiles. Bounded in
 * count and time: it stops by itself.
 *
 * <p>Usage: {@code HttpLoad --url URL [--method POST] [--header "Name: value"]... [--body-file F]
 * [--unique-header NAME] [--concurrency 32] [--duration 10] [--rate 0] [--label text]}
 */
public final class HttpLoad {
    private HttpLoad() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, List<String>> options = parse(args);
        URI url = URI.create(one(options, "url", null));
        if (!url.getHost().equals("127.0.0.1") && !url.getHost().equals("localhost")) {
            throw new IllegalArgumentException("load only goes to loopback");
        }
        String method = one(options, "method", "GET");
        byte[] body = options.containsKey("body-file") ? Files.readAllBytes(Path.of(one(options, "body-file", null)))
            : new byte[0];
        String unique = one(options, "unique-header", null);
        int concurrency = Integer.parseInt(one(options, "concurrency", "32"));
        int seconds = Integer.parseInt(one(options, "duration", "10"));
        int rate = Integer.parseInt(one(options, "rate", "0"));
        String label = one(options, "label", url.toString());
        List<String[]> headers = new ArrayList<>();
        for (String h : options.getOrDefault("header", List.of())) {
            int colon = h.indexOf(':');
            headers.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4))
            .connectTimeout(Duration.ofSeconds(5)).build();

        LongAdder sent = new LongAdder();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        long[] latencies = new long[Math.max(1, (rate > 0 ? rate : 200_000) * seconds + 1024)];
        AtomicLong recorded = new AtomicLong();
        Semaphore inFlight = new Semaphore(concurrency);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long started = System.nanoTime();
        Runnable one = () -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(h -> b.header(h[0], h[1]));
            if (unique != null) {
                b.header(unique, UUID.randomUUID().toString());
            }
            long t0 = System.nanoTime();
            sent.increment();
            client.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                long i = recorded.getAndIncrement();
                if (i < latencies.length) {
                    latencies[(int) i] = System.nanoTime() - t0;
                }
                statuses.computeIfAbsent(e != null ? -1 : r.statusCode(), k -> new LongAdder()).increment();
                inFlight.release();
            });
        };
        if (rate > 0) {
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            long periodNanos = 1_000_000_000L / rate;
            CountDownLatch done = new CountDownLatch(1);
            ticker.scheduleAtFixedRate(() -> {
                if (System.nanoTime() >= end) {
                    done.countDown();
                    return;
                }
                if (inFlight.tryAcquire()) {
                    one.run();
                } else {
                    statuses.computeIfAbsent(-2, k -> new LongAdder()).increment();
                }
            }, 0, periodNanos, TimeUnit.NANOSECONDS);
            done.await();
            ticker.shutdownNow();
        } else {
            while (System.nanoTime() < end) {
                inFlight.acquire();
                one.run();
            }
        }
        inFlight.acquire(concurrency);
        double elapsed = (System.nanoTime() - started) / 1e9;
        int n = (int) Math.min(recorded.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        Map<Integer, Long> codes = new TreeMap<>();
        statuses.forEach((k, v) -> codes.put(k, v.sum()));
        System.out.printf("%s: %d requests in %.1f s = %.0f req/s; latency ms p50 %.2f p90 %.2f p99 %.2f max %.2f; "
            + "statuses %s%n", label, sent.sum(), elapsed, sent.sum() / elapsed, ms(sorted, 0.50), ms(sorted, 0.90),
            ms(sorted, 0.99), n == 0 ? 0 : sorted[n - 1] / 1e6, codes);
        System.exit(0);
    }

    private static double ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
    }

    private static Map<String, List<String>> parse(String[] args) {
        Map<String, List<String>> out = new ConcurrentHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            out.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[i + 1]);
        }
        return out;
    }

    private static String one(Map<String, List<String>> options, String name, String fallback) {
        List<String> values = options.get(name);
        if (values == null || values.isEmpty()) {
            if (fallback == null && !name.equals("unique-header")) {
                throw new IllegalArgumentException("--" + name + " is required");
            }
            return fallback;
        }
        return values.get(0);
    }
}
