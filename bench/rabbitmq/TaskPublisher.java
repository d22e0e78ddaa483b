import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Task ingress over RabbitMQ, for bench/run-task-bench.sh (MODE=rabbitmq). Run with the source launcher and the
 * distribution's jars: java -cp 'deploy/target/atlas/lib/*' bench/rabbitmq/TaskPublisher.java URI QUEUE BODY_FILE
 * SECONDS IN_FLIGHT RUN_ID [echo CONSUMERS]. Publishes task messages (a unique taskId each, the cloud's JWT from env JWT in the
 * authorization header, reply_to a private reply queue, a correlation id), keeping at most IN_FLIGHT unanswered, for
 * SECONDS; a task counts as accepted when Atlas's reply (x-atlas-status 201) arrives. Prints one line: accepted
 * tasks/s, p50 and p99 of publish-to-reply, and the other statuses. With {@code echo CONSUMERS} it is its own
 * baseline: it declares QUEUE (durable) and answers every message itself as a bare consumer would (CONSUMERS channels,
 * prefetch 4, manual ack after the reply, as Atlas's route): what the broker's round trip costs on this machine.
 */
public final class TaskPublisher {
    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String queue = args[1];
        String template = Files.readString(Path.of(args[2]));
        long seconds = Long.parseLong(args[3]);
        int inFlight = Integer.parseInt(args[4]);
        String run = args[5];
        String authorization = "Bearer " + System.getenv("JWT");
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        factory.setVirtualHost("/");
        try (Connection connection = factory.newConnection("atlas-task-bench")) {
            Channel publish = connection.createChannel();
            Channel replies = connection.createChannel();
            String replyQueue = replies.queueDeclare("", false, true, true, null).getQueue();
            if (args.length > 7 && args[6].equals("echo")) {
                publish.queueDeclare(queue, true, false, true, null);
                for (int i = 0; i < Integer.parseInt(args[7]); i++) {
                    Channel echo = connection.createChannel();
                    echo.basicQos(4);
                    echo.basicConsume(queue, false, (tag, delivery) -> {
                        AMQP.BasicProperties in = delivery.getProperties();
                        echo.basicPublish("", in.getReplyTo(), new AMQP.BasicProperties.Builder()
                            .contentType("application/json").deliveryMode(2).correlationId(in.getCorrelationId())
                            .headers(Map.of("x-atlas-status", 201)).build(),
                            "{\"status\":\"accepted\"}".getBytes(StandardCharsets.UTF_8));
                        echo.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                    }, tag -> { });
                }
            }
            Semaphore window = new Semaphore(inFlight);
            Map<String, Long> sent = new ConcurrentHashMap<>();
            long[] latencies = new long[5_000_000];
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger other = new AtomicInteger();
            DeliverCallback onReply = (tag, delivery) -> {
                Long at = sent.remove(delivery.getProperties().getCorrelationId());
                if (at == null) {
                    return;
                }
                Object status = delivery.getProperties().getHeaders() == null ? null
                    : delivery.getProperties().getHeaders().get("x-atlas-status");
                if (status != null && status.toString().equals("201")) {
                    int i = accepted.getAndIncrement();
                    if (i < latencies.length) {
                        latencies[i] = System.nanoTime() - at;
                    }
                } else {
                    other.incrementAndGet();
                }
                window.release();
            };
            replies.basicConsume(replyQueue, true, onReply, tag -> { });
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long n = 0;
            while (System.nanoTime() < end) {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                String taskId = "bench-" + run + "-" + n++;
                String body = template.replaceFirst("\\{", "{\"taskId\": \"" + taskId + "\", ");
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .deliveryMode(2).replyTo(replyQueue).correlationId(taskId)
                    .headers(Map.of("authorization", authorization)).build();
                sent.put(taskId, System.nanoTime());
                publish.basicPublish("", queue, properties, body.getBytes(StandardCharsets.UTF_8));
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            int count = Math.min(accepted.get(), latencies.length);
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            System.out.printf("accepted %d in %.1fs: %.0f tasks/s, p50 %.2fms, p99 %.2fms, other replies %d,"
                + " unanswered %d%n", accepted.get(), elapsed, accepted.get() / elapsed, pct(sorted, 0.50),
                pct(sorted, 0.99), other.get(), sent.size());
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }
}
