package dev.atlas.driver.local;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverFactory;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Makes the {@code local} driver, which runs each task on the Atlas machine: Atlas's own steps (clone, report, patch)
 * as processes of the Atlas distribution, the task's own commands in a bubblewrap sandbox. Meant for one machine and
 * {@code atlas demo}.
 *
 * <pre>
 * tasks:
 *   local: { workDir: data/jobs, maxConcurrent: 4, maxQueued: 1000, unsandboxed: false }
 * </pre>
 */
@Extension
public class LocalDriverFactory implements DriverFactory {
    static final int MAX_CONCURRENT_LIMIT = 256;
    static final int MAX_QUEUED_LIMIT = 1_000_000;

    @Override
    public String id() {
        return "local";
    }

    @Override
    public Driver configure(ConfigSection section, Problems problems) {
        section.allowOnly(Set.of("workDir", "maxConcurrent", "maxQueued", "unsandboxed"));
        Optional<Path> workDir = section.string("workDir").flatMap(text -> {
            try {
                if (text.isBlank()) {
                    problems.add(section.keyOf("workDir"), "must not be empty when given");
                    return Optional.empty();
                }
                return Optional.of(Path.of(text.trim()));
            } catch (InvalidPathException e) {
                problems.add(section.keyOf("workDir"), "is not a valid path");
                return Optional.empty();
            }
        });
        long maxConcurrent = section.integer("maxConcurrent").orElse((long) LocalSettings.DEFAULT_MAX_CONCURRENT);
        if (maxConcurrent < 1 || maxConcurrent > MAX_CONCURRENT_LIMIT) {
            problems.add(section.keyOf("maxConcurrent"), "must be between 1 and " + MAX_CONCURRENT_LIMIT);
            maxConcurrent = LocalSettings.DEFAULT_MAX_CONCURRENT;
        }
        long maxQueued = section.integer("maxQueued").orElse((long) LocalSettings.DEFAULT_MAX_QUEUED);
        if (maxQueued < 1 || maxQueued > MAX_QUEUED_LIMIT) {
            problems.add(section.keyOf("maxQueued"), "must be between 1 and " + MAX_QUEUED_LIMIT);
            maxQueued = LocalSettings.DEFAULT_MAX_QUEUED;
        }
        boolean unsandboxed = section.bool("unsandboxed").orElse(false);
        return new LocalDriver(new LocalSettings(workDir, (int) maxConcurrent, (int) maxQueued, unsandboxed));
    }
}
