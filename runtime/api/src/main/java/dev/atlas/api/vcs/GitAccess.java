package dev.atlas.api.vcs;

/**
 * What Atlas's git endpoint needs a clone credential for: fetching the task's repository, or pushing the task's one
 * branch. A provider that can narrow its credentials (GitHub App installation tokens) mints the least it can.
 */
public enum GitAccess {
    /** Fetch only ({@code contents: read} on GitHub). */
    READ,
    /** Fetch and push ({@code contents: write} on GitHub). */
    WRITE
}
