package dev.atlas.patcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code atlas report --task-dir DIR --secrets-dir DIR}: the last part of an analysis, autofix or transformer job
 * (SPEC §6), run in Atlas's image after the task's own containers. For a transformer it first commits and pushes the
 * workspace's changes ({@link TransformerPush}); then it posts every result file ({@link ResultFiles}) to Atlas's
 * results endpoint, {@code $ATLAS_JOB_URL/results}, each on its own with the result token, and last a summary
 * {@value ResultFiles#SUMMARY_NAME} ({@code {"taskId","type","status","detail"}} plus {@code posted}, {@code skipped}
 * and {@code push}) naming every skipped file and the push outcome. The summary is also printed on stdout.
 *
 * <p>Inputs: {@code task.json}; env {@code ATLAS_JOB_URL}, {@code ATLAS_WORKSPACE}, {@code ATLAS_RESULTS_DIR};
 * secrets {@code result-token}, and for a transformer {@code clone-token} (the task's git token) and
 * {@code clone-username}. Exit 0 when every file was posted and the push (if any) went; 1 otherwise.
 */
public final class ReportCommand {
    private static final Logger LOG = LoggerFactory.getLogger(ReportCommand.class);

    /**
     * Everything a test may want to replace.
     *
     * @param jobUrl {@code ATLAS_JOB_URL}; null when unset or unusable
     * @param workspace {@code ATLAS_WORKSPACE}: the transformer's work tree is {@code repo} in it
     * @param resultsDir {@code ATLAS_RESULTS_DIR}; null when unset
     */
    record Options(URI jobUrl, Path workspace, Path resultsDir, RetryPolicy retry, HttpClient http,
        Duration gitTimeout) {

        static Options fromEnvironment(java.util.function.Function<String, String> env) {
            String workspace = env.apply("ATLAS_WORKSPACE");
            String results = env.apply("ATLAS_RESULTS_DIR");
            return new Options(PatchCommand.Options.jobUrl(env.apply(PatchCommand.JOB_URL_ENV)),
                Path.of(workspace == null || workspace.isBlank() ? System.getProperty("java.io.tmpdir") : workspace),
                results == null || results.isBlank() ? null : Path.of(results), RetryPolicy.standard(),
                PatchCommand.Options.defaultHttpClient(), Duration.ofMinutes(5));
        }
    }

    private final Options options;
    private final ObjectMapper mapper = new ObjectMapper();

    ReportCommand(Options options) {
        this.options = options;
    }

    /** Runs the report part of one job with this process's environment; returns the exit code. */
    public static int run(Path taskDir, Path secretsDir, PrintStream out, PrintStream err) {
        return run(taskDir, secretsDir, System::getenv, out, err);
    }

    /**
     * Runs the report part of one job with {@code env} for {@code ATLAS_JOB_URL}, {@code ATLAS_WORKSPACE} and
     * {@code ATLAS_RESULTS_DIR} (for a caller that runs it in process, as the local driver may); returns the exit
     * code. Blocks for the push and the posts (each post retried for at most 15 s).
     */
    public static int run(Path taskDir, Path secretsDir, java.util.function.Function<String, String> env,
        PrintStream out, PrintStream err) {
        return new ReportCommand(Options.fromEnvironment(env)).execute(taskDir, secretsDir, out, err);
    }

    int execute(Path taskDir, Path secretsDir, PrintStream out, PrintStream err) {
        Redactor redactor = new Redactor();
        List<String> problems = new ArrayList<>();
        ReportTask task = null;
        String resultToken = null;
        TransformerPush.Outcome push = null;
        try {
            task = ReportTask.parse(readTask(taskDir.resolve(PatchCommand.TASK_FILE)));
            resultToken = secret(secretsDir, Secrets.RESULT_TOKEN);
            redactor.add(resultToken);
            if (task.pushes()) {
                String user = secret(secretsDir, Secrets.CLONE_USERNAME);
                String gitToken = secret(secretsDir, Secrets.CLONE_TOKEN);
                redactor.add(gitToken, user);
                push = new TransformerPush(options.workspace(), options.gitTimeout())
                    .run(task, user, gitToken, options.workspace().resolve("repo"));
                if (!push.ok()) {
                    problems.add("push " + push.status() + ": " + push.detail());
                }
            }
        } catch (PatchFailure e) {
            problems.add(e.getMessage());
        }
        String taskId = task == null ? null : task.taskId();
        String type = task == null ? null : task.type();
        if (options.jobUrl() == null || resultToken == null) {
            problems.add("results not posted: " + (task == null ? "task.json unusable" : resultToken == null
                ? "secrets/result-token missing or empty" : PatchCommand.JOB_URL_ENV + " missing or invalid"));
            ObjectNode summary = summary(taskId, type, problems, List.of(), List.of(), push, redactor);
            out.println(summary);
            err.println("atlas report: " + summary.path("detail").asText());
            return 1;
        }
        ResultReporter reporter = new ResultReporter(new JsonPoster(options.http(), options.retry()));
        List<String> posted = new ArrayList<>();
        List<String[]> skipped = new ArrayList<>();
        try {
            if (options.resultsDir() == null) {
                problems.add("ATLAS_RESULTS_DIR is not set: no result file was read");
            } else {
                for (ResultFiles.Entry entry : ResultFiles.list(options.resultsDir())) {
                    String why = entry.postable()
                        ? reporter.report(options.jobUrl(), resultToken, entry.name(), entry.body()) : entry.skipped();
                    if (why == null) {
                        posted.add(entry.name());
                    } else {
                        skipped.add(new String[] {entry.name(), why});
                    }
                }
            }
            ObjectNode summary = summary(taskId, type, problems, posted, skipped, push, redactor);
            out.println(summary);
            String problem = reporter.report(options.jobUrl(), resultToken, ResultFiles.SUMMARY_NAME,
                mapper.writeValueAsBytes(summary));
            LOG.info("task {} reported: {} posted, {} skipped, summary {}", taskId, posted.size(), skipped.size(),
                problem == null ? "posted" : "not posted");
            if (problem != null) {
                err.println("atlas report: summary not posted: " + problem);
                return 1;
            }
            if (!problems.isEmpty() || !skipped.isEmpty()) {
                err.println("atlas report: " + summary.path("detail").asText());
                return 1;
            }
            return 0;
        } catch (IOException e) {
            err.println("atlas report: the results folder is unreadable (" + e.getClass().getSimpleName() + ")");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("atlas report: interrupted");
            return 1;
        }
    }

    /** The summary result: {@code status} {@code succeeded} when everything went, else {@code failed}. */
    private ObjectNode summary(String taskId, String type, List<String> problems, List<String> posted,
        List<String[]> skipped, TransformerPush.Outcome push, Redactor redactor) {
        ObjectNode summary = mapper.createObjectNode();
        summary.put("taskId", taskId);
        summary.put("type", type);
        boolean ok = problems.isEmpty() && skipped.isEmpty();
        summary.put("status", ok ? "succeeded" : "failed");
        List<String> detail = new ArrayList<>(problems);
        if (!skipped.isEmpty()) {
            detail.add("not posted: " + String.join(", ", skipped.stream().map(s -> s[0] + " (" + s[1] + ")").toList()));
        }
        if (ok) {
            detail.add("posted " + posted.size() + " result file(s)" + (push == null ? "" : "; " + push.detail()));
        }
        summary.put("detail", redactor.redact(String.join("; ", detail)));
        ArrayNode postedNode = summary.putArray("posted");
        posted.forEach(postedNode::add);
        ArrayNode skippedNode = summary.putArray("skipped");
        skipped.forEach(s -> skippedNode.addObject().put("file", s[0]).put("reason", redactor.redact(s[1])));
        if (push != null) {
            ObjectNode pushNode = summary.putObject("push");
            pushNode.put("status", push.status());
            pushNode.put("detail", redactor.redact(push.detail()));
            pushNode.put("branch", push.branch());
            if (push.commitSha() != null) {
                pushNode.put("commitSha", push.commitSha());
            }
        }
        return summary;
    }

    private JsonNode readTask(Path file) throws PatchFailure {
        try {
            return mapper.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw PatchFailure.invalidField(PatchCommand.TASK_FILE, "missing");
        } catch (IOException e) {
            throw PatchFailure.invalidField(PatchCommand.TASK_FILE, "not valid JSON");
        }
    }

    /** A secret file's value, trimmed; a missing or empty one is an error naming the file. */
    private static String secret(Path dir, String name) throws PatchFailure {
        Path file = dir.resolve(name);
        try {
            String value = Files.isRegularFile(file) ? Files.readString(file).strip() : "";
            if (value.isEmpty()) {
                throw PatchFailure.invalidField("secrets/" + name, "missing or empty");
            }
            return value;
        } catch (IOException e) {
            throw PatchFailure.invalidField("secrets/" + name, "unreadable");
        }
    }
}
