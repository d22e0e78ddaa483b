package dev.atlas.driver.local;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Ends a process together with everything it started. */
final class ProcessTrees {
    private static final long WAIT_SECONDS = 10;

    private ProcessTrees() {
    }

    /**
     * Kills {@code root} and its descendants at once (no grace period: a job past its deadline or cancelled has no
     * work worth saving) and waits a few seconds for them to be gone, so that the job's folder can be deleted after
     * without a dying process still writing into it. The descendants are listed before anything dies, because
     * children of a killed process are re-parented and would no longer show as its descendants.
     */
    static void kill(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        root.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        // a child may have forked between the listing and the kill; one more sweep catches what it left
        root.descendants().forEach(p -> {
            p.destroyForcibly();
            tree.add(p);
        });
        tree.add(root);
        try {
            CompletableFuture.allOf(tree.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a process that will not die (uninterruptible sleep) keeps its name in the log; nothing else to do
        }
    }
}
