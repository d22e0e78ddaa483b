package dev.atlas.patcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code atlas patch --task-dir DIR --secrets-dir DIR}: the program a patch job runs (SPEC §6).
 *
 * <p>Reads {@code task.json} (and {@code patch.diff}, preferred over the {@code patch} field) from the task dir and
 * {@code clone-token}, {@code result-token}, optional {@code clone-username} and {@code proxy-token} from the
 * secrets dir; applies the patch in a throw-away repository, commits, pushes without force, opens the pull request
 * through Atlas's VCS proxy when asked, then reports the result to Atlas's results endpoint
 * ({@code $ATLAS_JOB_URL/results}, file name {@value #RESULT_NAME}; Atlas forwards it to {@code resultUrl}) and prints it
 * as one JSON line. No secret is ever printed, logged, reported or written to the repository.
 *
 * <p>Exit code: 0 for {@code committed} and {@code pr_opened} when the cloud accepted the report; 1 otherwise
 * (including a result that could not be delivered, so the job shows as failed and the driver's own reporting
 * takes over).
 */
public final class PatchCommand {
    private static final Logger LOG = LoggerFactory.getLogger(PatchCommand.class);

    /**
     * Everything a test may want to replace.
     *
     * @param jobUrl {@code ATLAS_JOB_URL}: the task's base on Atlas ({@code {jobUrl}/jobs/{taskId}}); null when unset
     */
    record Options(Path workspaceRoot, RetryPolicy retry, HttpClient http, Duration gitTimeout,
        RepositoryWorkspace.BeforePush beforePush, URI jobUrl) {

        static Options fromEnvironment() {
            String workspace = System.getenv("ATLAS_WORKSPACE");
            Path root = workspace == null || workspace.isBlank() ? Path.of(System.getProperty("java.io.tmpdir")) : Path.of(workspace);
            return new Options(root, RetryPolicy.standard(), defaultHttpClient(), Duration.ofMinutes(5), dir -> { },
                jobUrl(System.getenv(JOB_URL_ENV)));
        }

        /** {@code ATLAS_JOB_URL} as an http(s) URL, or null when unset or unusable. */
        static URI jobUrl(String value) {
            try {
                return value == null || value.isBlank() ? null : PatchTask.httpUrl(value.strip(), JOB_URL_ENV);
            } catch (PatchFailure e) {
                return null;
            }
        }

        static HttpClient defaultHttpClient() {
            // Redirects are not followed: they would carry the bearer token to wherever they point.
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
        }
    }

    static final String TASK_FILE = "task.json";
    /** The environment variable with the task's base URL on Atlas. */
    static final String JOB_URL_ENV = "ATLAS_JOB_URL";
    /** The file name the patch result is posted under. */
    static final String RESULT_NAME = "atlas-patch.json";
    static final String PATCH_FILE = "patch.diff";

    private final Options options;
    private final ObjectMapper mapper = new ObjectMapper();

    PatchCommand(Options options) {
        this.options = options;
    }

    /**
     * Runs one patch task to completion.
     *
     * @return the process exit code: 0 for {@code committed}/{@code pr_opened}, 1 otherwise
     */
    public static int run(Path taskDir, Path secretsDir, PrintStream out, PrintStream err) {
        return new PatchCommand(Options.fromEnvironment()).execute(taskDir, secretsDir, out, err);
    }

    int execute(Path taskDir, Path secretsDir, PrintStream out, PrintStream err) {
        Redactor redactor = new Redactor();
        String taskId = null;
        String resultToken = null;
        PatchResult result;
        try {
            JsonNode root = readTask(taskDir.resolve(TASK_FILE));
            // Known before full validation, so that a task with one bad field is still reported to the cloud.
            taskId = reportableTaskId(root);
            resultToken = Secrets.readResultToken(secretsDir);
            redactor.add(resultToken);
            Path patchFile = taskDir.resolve(PATCH_FILE);
            boolean patchFilePresent = Files.isRegularFile(patchFile);
            PatchTask task = PatchTask.parse(root, patchFilePresent);
            Secrets secrets = Secrets.read(secretsDir, task);
            redactor = secrets.redactor();
            byte[] diff = patchFilePresent ? Files.readAllBytes(patchFile) : task.patch().getBytes(StandardCharsets.UTF_8);
            result = new PatchJob(options.workspaceRoot(), options.gitTimeout(), options.beforePush()).run(task, secrets, diff);
            if (result.status() == Status.COMMITTED && task.pullRequest() != null) {
                result = openPullRequest(task, secrets, result);
            }
        } catch (PatchFailure failure) {
            result = PatchResult.of(failure.status(), failure.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = PatchResult.of(Status.ERROR, "interrupted");
        } catch (IOException | RuntimeException e) {
            // The message may come from a library: it goes through the redactor like every other text.
            result = PatchResult.of(Status.ERROR, "unexpected failure: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        result = result.redacted(redactor);
        String json = result.toJson(mapper, taskId).toString();
        out.println(json);
        LOG.info("task {} finished: {}", taskId, result.status().wireName());
        return report(resultToken, taskId, json, err) ? result.status().exitCode() : 1;
    }

    private PatchResult openPullRequest(PatchTask task, Secrets secrets, PatchResult committed) throws InterruptedException {
        PullRequestOpener.Outcome outcome = new PullRequestOpener(poster(), mapper).open(task, secrets.proxyToken());
        if (outcome.error() != null) {
            return committed.withPullRequestError(outcome.error());
        }
        return committed.withPullRequest(outcome.url(), outcome.number());
    }

    private boolean report(String resultToken, String taskId, String json, PrintStream err) {
        URI jobUrl = options.jobUrl();
        if (jobUrl == null || resultToken == null || taskId == null) {
            err.println("atlas patch: result not reported: " + (taskId == null ? "taskId" : jobUrl == null ? JOB_URL_ENV
                : "secrets/result-token") + " missing or invalid");
            return false;
        }
        try {
            String problem = new ResultReporter(poster()).report(jobUrl, resultToken, RESULT_NAME,
                json.getBytes(StandardCharsets.UTF_8));
            if (problem != null) {
                err.println("atlas patch: result not reported: " + problem);
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("atlas patch: result not reported: interrupted");
            return false;
        }
    }

    private JsonPoster poster() {
        return new JsonPoster(options.http(), options.retry());
    }

    private JsonNode readTask(Path file) throws PatchFailure {
        try {
            return mapper.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw PatchFailure.invalidField(TASK_FILE, "missing");
        } catch (IOException e) {
            throw PatchFailure.invalidField(TASK_FILE, "not valid JSON");
        }
    }

    private static String reportableTaskId(JsonNode root) {
        try {
            JsonNode id = root == null ? null : root.get("taskId");
            return id != null && id.isTextual() && PatchTask.isValidTaskId(id.asText()) ? id.asText() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
