package dev.atlas.core.jobs;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The CI-configuration paths a job's push may not add, change or remove (SPEC §6) unless {@code tasks.push.allowPaths}
 * lists them: on GitLab a {@code .gitlab-ci.yml} on any branch runs a pipeline with the project's CI variables, on
 * GitHub a workflow file runs with the repository's secrets. Compared case-insensitively (a case-insensitive checkout
 * would read {@code .GitHub/Workflows} as the same folder).
 *
 * <p>The same list as the patcher's {@code CiConfigPaths}; kept here until that class is on main, then this one
 * delegates to it.
 */
final class GitCiPaths {
    private static final List<String> FOLDERS = List.of(".github/workflows/", ".circleci/", ".buildkite/");
    private static final List<String> FILES = List.of(".gitlab-ci.yml", "jenkinsfile", "azure-pipelines.yml",
        "bitbucket-pipelines.yml", ".travis.yml", ".drone.yml");

    private GitCiPaths() {
    }

    /**
     * Why {@code path} (repository-relative, {@code /}-separated) may not be pushed, or empty when it may: not CI
     * configuration, or listed in {@code allowPaths} (an exact path, or a folder ending in {@code /}).
     */
    static Optional<String> refusal(String path, List<String> allowPaths) {
        for (String allowed : allowPaths) {
            if (path.equals(allowed) || allowed.endsWith("/") && path.startsWith(allowed)) {
                return Optional.empty();
            }
        }
        String lower = path.toLowerCase(Locale.ROOT);
        for (String folder : FOLDERS) {
            if (lower.startsWith(folder)) {
                return Optional.of(path + " is CI configuration (" + folder + ")");
            }
        }
        if (FILES.contains(lower)) {
            return Optional.of(path + " is CI configuration");
        }
        return Optional.empty();
    }
}
