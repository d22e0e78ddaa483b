package dev.atlas.patcher;

import java.util.Locale;

/** The outcome of a patch job, as reported to the cloud and mapped to the process exit code. */
public enum Status {
    /** The patch was committed and pushed (or an earlier run of the same task already had). */
    COMMITTED,
    /** Committed, pushed, and the pull request was opened through Atlas's VCS proxy. */
    PR_OPENED,
    /** The base branch moved away from the expected commit and the patch no longer applies. */
    STALE_CHANGESET,
    /** The patch is malformed, unsafe, binary, or does not apply at the expected head. */
    PATCH_FAILED,
    /** The remote refused the non-forced push (the branch moved or holds other commits). */
    PUSH_REJECTED,
    /** Anything else: invalid task, unreachable repository, unexpected failure. */
    ERROR;

    /** The lowercase name used on the wire ({@code pr_opened}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** 0 when the change is in the repository, 1 otherwise. */
    public int exitCode() {
        return this == COMMITTED || this == PR_OPENED ? 0 : 1;
    }
}
