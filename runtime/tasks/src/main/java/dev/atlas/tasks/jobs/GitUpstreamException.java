package dev.atlas.tasks.jobs;

import java.io.IOException;

/** The VCS could not be reached, refused Atlas, or lacks what the task names; the job's git sees a 502. */
final class GitUpstreamException extends IOException {
    GitUpstreamException(String message) {
        super(message);
    }

    GitUpstreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
