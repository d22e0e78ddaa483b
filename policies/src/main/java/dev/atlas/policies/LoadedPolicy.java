package dev.atlas.policies;

/**
 * A policy chosen for an app and where it came from.
 *
 * @param policy the parsed policy
 * @param origin the file it was read from, or {@code built-in:<vcs>}; for logs and {@code atlas policy test}
 */
public record LoadedPolicy(ApiPolicy policy, String origin) {
}
