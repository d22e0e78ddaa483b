package dev.atlas.driver.local;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The settings of the local driver ({@code tasks.local}).
 *
 * @param workDir where task folders go; empty means {@code <dataDir>/jobs}; a relative path resolves against the
 *     host's data folder (the plugin API does not expose the config file's folder)
 * @param maxConcurrent how many jobs run at once; further jobs wait as PENDING
 * @param maxQueued how many accepted jobs may wait for a free slot; a task beyond that is refused as
 *     {@code UNAVAILABLE} (Atlas answers 503 with {@code Retry-After}) before anything is created for it
 * @param unsandboxed {@code tasks.local.unsandboxed}: run the task's own commands without {@code bwrap} when it is
 *     missing, as Atlas's user, able to read what Atlas can read. Only for a demo on a machine without bubblewrap
 */
public record LocalSettings(Optional<Path> workDir, int maxConcurrent, int maxQueued, boolean unsandboxed) {

    /** The default of {@code maxConcurrent}. */
    public static final int DEFAULT_MAX_CONCURRENT = 4;
    /**
     * The default of {@code maxQueued}: the tokens of a job are minted when it is accepted and expire ten minutes after
     * its time limit, so a much deeper queue would only start jobs whose tokens have run out.
     */
    public static final int DEFAULT_MAX_QUEUED = 1000;

    /** Settings with the default queue bound. */
    public LocalSettings(Optional<Path> workDir, int maxConcurrent, boolean unsandboxed) {
        this(workDir, maxConcurrent, DEFAULT_MAX_QUEUED, unsandboxed);
    }
}
