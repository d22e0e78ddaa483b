package dev.atlas.driver.local;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The settings of the local driver ({@code tasks.local}).
 *
 * @param workDir where task folders go; empty means {@code <dataDir>/jobs}; a relative path resolves against the
 *     host's data folder (the plugin API does not expose the config file's folder)
 * @param maxConcurrent how many jobs run at once; further jobs wait as PENDING
 * @param unsandboxed {@code tasks.local.unsandboxed}: run the task's own commands without {@code bwrap} when it is
 *     missing, as Atlas's user, able to read what Atlas can read. Only for a demo on a machine without bubblewrap
 */
public record LocalSettings(Optional<Path> workDir, int maxConcurrent, boolean unsandboxed) {

    /** The default of {@code maxConcurrent}. */
    public static final int DEFAULT_MAX_CONCURRENT = 4;
}
