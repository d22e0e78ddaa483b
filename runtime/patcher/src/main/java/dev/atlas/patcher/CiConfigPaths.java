package dev.atlas.patcher;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The repository paths that configure a CI system (SPEC §6, push rules). A push that adds, changes or removes one of
 * them would let the pushed content run with the project's CI variables and secrets (on GitLab a pipeline starts on
 * the pushed branch), so patch and transformer pushes may touch them only when the admin lists the path in
 * {@code tasks.push.allowPaths}.
 *
 * <p>Names are compared without regard to case: a case-insensitive checkout (macOS, Windows runners) reads
 * {@code .GitHub/Workflows/x.yml} as a workflow, and refusing one path too many is the safe error.
 */
public final class CiConfigPaths {
    /** Folders at the repository's root whose every file is CI configuration. */
    private static final List<String> FOLDERS = List.of(".github/workflows/", ".circleci/", ".buildkite/");
    /** Files at the repository's root that are CI configuration. */
    private static final List<String> FILES = List.of(".gitlab-ci.yml", "Jenkinsfile", "azure-pipelines.yml",
        "bitbucket-pipelines.yml", ".travis.yml", ".drone.yml");

    private CiConfigPaths() {
    }

    /**
     * Why {@code path} may not be pushed, or empty when it may.
     *
     * @param path a repository path with {@code /} separators, without a leading {@code /}
     * @param allowPaths {@code tasks.push.allowPaths}: exact paths, or folders when they end with {@code /}
     */
    public static Optional<String> refusal(String path, List<String> allowPaths) {
        if (!isCiConfig(path) || allowed(path, allowPaths)) {
            return Optional.empty();
        }
        return Optional.of("CI configuration may not be pushed: " + path
            + " (list it in tasks.push.allowPaths to allow it)");
    }

    /** Whether {@code path} configures a CI system. */
    public static boolean isCiConfig(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        return FOLDERS.stream().anyMatch(lower::startsWith)
            || FILES.stream().anyMatch(file -> lower.equals(file.toLowerCase(Locale.ROOT)));
    }

    private static boolean allowed(String path, List<String> allowPaths) {
        return allowPaths.stream().anyMatch(allow -> allow.endsWith("/") ? path.startsWith(allow) : path.equals(allow));
    }
}
