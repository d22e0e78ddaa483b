import dev.atlas.core.outbox.SeenTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * How long one write to a de-duplication table can hold its callers: N {@code put}s of new keys into a fresh
 * {@code SeenTable}, one every GAP nanoseconds (0: as fast as one thread can), on one thread; prints the longest put
 * (a rebuild, when the table grows) and the time of all of them. Run with a distribution's jars on the class path
 * (bench/run-seen-table-stall.sh). Usage: {@code SeenTableStall N GAP_NANOS DIR}.
 */
public final class SeenTableStall {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        long gap = Long.parseLong(args[1]);
        Path file = Files.createTempDirectory(Path.of(args[2]), "seen").resolve("t.table");
        Instant now = Instant.now();
        long worst = 0;
        long total = 0;
        int worstAt = 0;
        int capacity;
        try (SeenTable table = SeenTable.open(file)) {
            long next = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (gap > 0) {
                    while (System.nanoTime() < next) {
                        Thread.onSpinWait();
                    }
                    next += gap;
                }
                byte[] key = SeenTable.digest("gh-main/push/" + i);
                long start = System.nanoTime();
                table.put(key, now);
                long took = System.nanoTime() - start;
                total += took;
                if (took > worst) {
                    worst = took;
                    worstAt = i;
                }
            }
            capacity = table.capacity();
        }
        System.out.printf("%,d puts: longest %.1f ms (at put %,d), all puts %.0f ms, %,d slots at the end%n", n,
            worst / 1e6, worstAt, total / 1e6, capacity);
    }
}
