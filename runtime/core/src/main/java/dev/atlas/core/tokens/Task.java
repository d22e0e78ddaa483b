package dev.atlas.core.tokens;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A task as validated on arrival (SPEC §6): the common fields and one typed body per task type. {@link #document()}
 * is what the job receives as {@code task.json}: the fields as the cloud sent them, with {@code taskId}, unknown
 * fields moved under {@code payload}, and (for patches) the diff taken out into {@code patch.diff}.
 *
 * @param installationId the GitHub App installation, as text (the cloud may send a number)
 * @param repository absent only for {@code cancel}
 * @param resultUrl absent only for {@code cancel}
 * @param timeLimit the job's deadline: {@code timeLimitSeconds}, or {@code tasks.timeLimit}, never more than it
 */
public record Task(String taskId, String type, String appId, Optional<String> installationId,
    Optional<Repository> repository, Optional<URI> resultUrl, Duration timeLimit, Body body, ObjectNode document) {

    /**
     * {@code repository}: where the code is, which ref, which commit.
     *
     * @param path the clone URL's path without slashes at the ends and without {@code .git} ({@code owner/repo},
     *     {@code group/sub/project}, {@code scm/PROJECT/repo})
     */
    public record Repository(URI cloneUrl, String ref, String sha, String path) {
        /** The second-to-last path segment: the owner, workspace or project. */
        public String owner() {
            String[] segments = path.split("/");
            return segments[segments.length - 2];
        }

        /** The last path segment: the repository. */
        public String name() {
            String[] segments = path.split("/");
            return segments[segments.length - 1];
        }
    }

    /** An analyzer, autofixer or transformer: the image, its command, and validated resource quantities. */
    public record Step(String name, String image, List<String> command, String cpu, String memory) {
    }

    /** {@code commit}: where a transformer or patch commits, with what message, as whom. */
    public record Commit(String branch, String message, String authorName, String authorEmail) {
    }

    /** {@code pullRequest} of a patch. */
    public record PullRequest(String title, String body, Optional<String> base) {
    }

    /** What a task type adds to the common fields. */
    public sealed interface Body permits Analysis, Autofix, Transformer, Patch, Cancel {
    }

    /** {@code analysis}: the analyzers, run one after the other in one job. */
    public record Analysis(List<Step> analyzers, Optional<String> baseSha) implements Body {
    }

    /** {@code autofix}. */
    public record Autofix(Step autofixer) implements Body {
    }

    /** {@code transformer}. */
    public record Transformer(Step transformer, Commit commit) implements Body {
    }

    /** {@code patch}: the unified diff and where to commit it. */
    public record Patch(String diff, Commit commit, Optional<PullRequest> pullRequest) implements Body {
    }

    /** {@code cancel}: stop the job of another task. */
    public record Cancel(String targetTaskId) implements Body {
    }

    /** The task types, as they appear in {@code type}. */
    public static final List<String> TYPES = List.of("analysis", "autofix", "transformer", "patch", "cancel");
}
