package dev.atlas.driver.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Ends a job's process together with everything it started. */
final class ProcessTrees {
    private static final long WAIT_SECONDS = 10;
    private static final Path PROC = Path.of("/proc");

    private ProcessTrees() {
    }

    /**
     * Kills {@code root} and its descendants at once (no grace period: a job past its deadline or cancelled has no
     * work worth saving), then every process whose output still goes into the job's {@code folder} (its log files):
     * a process forked as the tree died — bwrap's sandbox being set up at that moment — is re-parented and no longer
     * shows as a descendant. Waits a few seconds for them to be gone, so that the folder can be cleared after without
     * a dying process still writing into it. The descendants are listed before anything dies.
     */
    static void kill(ProcessHandle root, Path folder) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        root.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        root.descendants().forEach(p -> {
            p.destroyForcibly();
            tree.add(p);
        });
        tree.add(root);
        awaitExit(tree);
        killWritingInto(folder);
    }

    /** Kills every process whose output goes into the job's {@code folder} and waits a few seconds for them. */
    static void killWritingInto(Path folder) {
        List<ProcessHandle> stragglers = writingInto(folder);
        stragglers.forEach(ProcessHandle::destroyForcibly);
        awaitExit(stragglers);
    }

    /** Processes whose standard output or error is a file under {@code folder} (Linux {@code /proc}; else none). */
    static List<ProcessHandle> writingInto(Path folder) {
        if (!Files.isDirectory(PROC)) {
            return List.of();
        }
        String prefix = folder.toAbsolutePath().normalize() + "/";
        return ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid())
            .filter(p -> outputUnder(p.pid(), prefix)).toList();
    }

    private static boolean outputUnder(long pid, String prefix) {
        for (String fd : new String[] {"1", "2"}) {
            try {
                if (Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("fd").resolve(fd)).toString()
                    .startsWith(prefix)) {
                    return true;
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // gone meanwhile, or another user's process: not one of the job's
            }
        }
        return false;
    }

    private static void awaitExit(List<ProcessHandle> processes) {
        try {
            CompletableFuture.allOf(processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a process that will not die (uninterruptible sleep): nothing more to do
        }
    }
}
