package dev.atlas.driver.local;

import java.util.List;

/** Ends a process together with everything it started. */
final class ProcessTrees {
    private ProcessTrees() {
    }

    /**
     * Kills {@code root} and its descendants at once (no grace period: a job past its deadline or cancelled has no
     * work worth saving). The descendants are listed before anything dies, because children of a killed process
     * are re-parented and would no longer show as its descendants.
     */
    static void kill(ProcessHandle root) {
        List<ProcessHandle> tree = root.descendants().toList();
        root.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        // a child may have forked between the listing and the kill; one more sweep catches what it left
        root.descendants().forEach(ProcessHandle::destroyForcibly);
    }
}
