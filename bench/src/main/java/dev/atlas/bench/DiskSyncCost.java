package dev.atlas.bench;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * What one durable append costs on a disk: the floor under every webhook the file spool accepts. Appends {@code size}
 * bytes to a preallocated file and syncs them ({@code fdatasync}, as the spool's journal does for each group commit),
 * {@code count} times per size, and prints per sync: the wall time, the calling thread's CPU, and the whole machine's
 * busy time (from {@code /proc/stat}: the block layer's completion work and the kernel's own threads run outside the
 * calling thread). Run it on an otherwise idle machine, in a folder on the spool's disk. Last, for comparison, 4 KiB
 * written with {@code O_DIRECT | O_DSYNC}, which Atlas does not use (a direct write drops the page cache's copy that
 * the delivery reads back).
 *
 * <p>Usage: {@code DiskSyncCost FOLDER [COUNT]} (5,000 syncs per size: the machine's counters tick every 10 ms).
 */
public final class DiskSyncCost {
    private static final int[] SIZES = {512, 1024, 4096, 16384};
    /** /proc/stat counts in USER_HZ, 100 a second on every Linux architecture Atlas runs on. */
    private static final double USER_HZ = 100;

    private DiskSyncCost() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args.length > 0 ? args[0] : ".");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        Path file = Files.createTempFile(folder, "disk-sync-cost", ".bin");
        try {
            System.out.printf("%-28s %12s %12s %14s%n", "per sync", "wall", "thread CPU", "machine busy");
            measure(file, 4096, Math.max(1, count / 4), false); // a warm-up, not printed
            for (int size : SIZES) {
                print("append " + size + " B + fdatasync", measure(file, size, count, false));
            }
            print("4096 B O_DIRECT|O_DSYNC", measure(file, 4096, count, true));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void print(String label, double[] perSync) {
        System.out.printf("%-28s %9.1f us %9.1f us %11.1f us%n", label, perSync[0], perSync[1], perSync[2]);
    }

    /** Wall, thread CPU and machine busy time per sync, in microseconds. */
    private static double[] measure(Path file, int size, int count, boolean direct) throws IOException {
        long length = (long) size * count;
        try (FileChannel fill = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            GroupCommit.zeroFill(fill, length);
        }
        Set<OpenOption> options = direct
            ? Set.of(StandardOpenOption.WRITE, StandardOpenOption.DSYNC, ExtendedOpenOption.DIRECT)
            : Set.of(StandardOpenOption.WRITE);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (FileChannel channel = FileChannel.open(file, options)) {
            ByteBuffer record = ByteBuffer.allocateDirect((size + 4095) / 4096 * 4096 + 4096).alignedSlice(4096);
            record.limit(size);
            long machineBefore = machineTicks();
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long wallBefore = System.nanoTime();
            long position = 0;
            for (int i = 0; i < count; i++) {
                record.clear().limit(size);
                record.put(0, (byte) i);
                position += channel.write(record, position);
                if (!direct) {
                    channel.force(false);
                }
            }
            double wall = (System.nanoTime() - wallBefore) / 1e3 / count;
            double cpu = (threads.getCurrentThreadCpuTime() - cpuBefore) / 1e3 / count;
            double busy = (machineTicks() - machineBefore) * (1e6 / USER_HZ) / count;
            return new double[] {wall, cpu, busy};
        }
    }

    /**
     * The machine's busy ticks so far: /proc/stat's first line from user to softirq, but idle and iowait (steal, the
     * hypervisor running something else, is not this machine's work).
     */
    private static long machineTicks() throws IOException {
        String[] columns = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < columns.length && i <= 7; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(columns[i]);
            }
        }
        return busy;
    }
}
