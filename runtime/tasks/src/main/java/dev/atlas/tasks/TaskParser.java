package dev.atlas.tasks;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.config.Quantities;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.tokens.Task;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a task's JSON (SPEC §6) into a {@link Task}. Every refusal is a 400 naming the field, except an unknown
 * {@code appId}, which is a 404. The rules that guard the customer's secrets:
 * <ul>
 *   <li>{@code repository.cloneUrl} must be on the app's own {@code webUrl} origin (scheme, host and port) and carry no
 *       user info: the job sends the VCS clone token to that host, so no task may point it anywhere else;</li>
 *   <li>{@code resultUrl} must be on {@code cloud.url}'s origin: the job sends its result token there;</li>
 *   <li>refs and branches may not start with {@code -} and follow git's ref rules, since they become git
 *       arguments.</li>
 * </ul>
 */
public final class TaskParser {
    /** Task ids: safe in a URL path, a file name, a label value and a commit trailer. */
    public static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{40}");
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}");
    private static final Pattern INSTALLATION = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");
    private static final Pattern EMAIL = Pattern.compile("[^\\s@<>]+@[^\\s@<>]+");
    private static final Pattern BAD_REF = Pattern.compile("(^[-./])|([/.]$)|(\\.\\.)|(//)|(@\\{)|(\\.lock$)|(\\.lock/)"
        + "|(/\\.)|[\\s~^:?*\\[\\\\\\p{Cntrl}]");
    private static final Set<String> COMMON = Set.of("taskId", "type", "appId", "installationId", "repository",
        "resultUrl", "timeLimitSeconds", "payload");
    private static final Map<String, Set<String>> TYPE_FIELDS = Map.of(
        "analysis", Set.of("analyzers", "baseSha"),
        "autofix", Set.of("autofixer"),
        "transformer", Set.of("transformer", "commit"),
        "patch", Set.of("patch", "commit", "pullRequest"),
        "cancel", Set.of("targetTaskId"));
    private static final ObjectMapper JSON = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .build();

    private final Map<String, AppSettings> apps;
    private final URI cloudUrl;
    private final Duration maxTimeLimit;
    private final AtlasConfig.TaskResources resources;
    private final URI proxyUrl;
    private final AtlasConfig.Push push;

    /**
     * @param apps the configured apps by id
     * @param cloudUrl {@code cloud.url}: result URLs must be on its origin
     * @param maxTimeLimit {@code tasks.timeLimit}: the default and the cap of {@code timeLimitSeconds}
     * @param resources defaults and caps of CPU and memory
     * @param proxyUrl Atlas's URL as jobs reach it; written into patch tasks that open a pull request
     * @param push {@code tasks.push}: {@code commit.branch} must start with its prefix; its allowed paths go to the
     *     job as {@code push.allowPaths}
     */
    public TaskParser(Map<String, AppSettings> apps, URI cloudUrl, Duration maxTimeLimit,
        AtlasConfig.TaskResources resources, URI proxyUrl, AtlasConfig.Push push) {
        this.push = push;
        this.apps = Map.copyOf(apps);
        this.cloudUrl = cloudUrl;
        this.maxTimeLimit = maxTimeLimit;
        this.resources = resources;
        this.proxyUrl = proxyUrl;
    }

    /**
     * Validates {@code body} as the task {@code taskId}; {@code taskId} is null when the id must come from the body
     * (queue ingress). An id in the body must equal the one given.
     */
    public Task parse(String taskId, byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw TaskFields.invalid("body", "not valid JSON" + (e.getMessage() != null
                && e.getMessage().contains("Duplicate field") ? " (a field appears twice)" : ""));
        }
        if (root == null || !root.isObject()) {
            throw TaskFields.invalid("body", "must be a JSON object");
        }
        ObjectNode document = (ObjectNode) root;
        TaskFields fields = new TaskFields(document, "");
        String id = taskId(taskId, fields);
        String type = fields.text("type", 32);
        if (!TYPE_FIELDS.containsKey(type)) {
            throw TaskFields.invalid("type", "must be one of " + String.join(", ", Task.TYPES));
        }
        String appId = fields.text("appId", 128);
        AppSettings app = apps.get(appId);
        if (app == null) {
            throw AtlasException.notFound("appId: no app " + appId + " is configured");
        }
        Optional<String> installationId = installation(fields);
        Duration timeLimit = timeLimit(fields);
        boolean cancel = type.equals("cancel");
        Optional<Task.Repository> repository = cancel ? Optional.empty()
            : Optional.of(repository(fields.object("repository"), app));
        Optional<URI> resultUrl = cancel ? Optional.empty() : Optional.of(resultUrl(fields));
        Task.Body taskBody = switch (type) {
            case "analysis" -> analysis(fields);
            case "autofix" -> new Task.Autofix(step(fields.object("autofixer"), null));
            case "transformer" -> new Task.Transformer(step(fields.object("transformer"), "transformer"),
                pushCommit(fields.object("commit")));
            case "patch" -> patch(fields);
            default -> new Task.Cancel(fields.matching("targetTaskId", TASK_ID, "not a task id"));
        };
        ObjectNode job = jobDocument(document, type, id, app, timeLimit, taskBody);
        return new Task(id, type, appId, installationId, repository, resultUrl, timeLimit, taskBody, job);
    }

    private static String taskId(String fromPath, TaskFields fields) {
        Optional<String> inBody = fields.has("taskId") ? Optional.of(fields.text("taskId", 128)) : Optional.empty();
        if (fromPath == null) {
            String id = inBody.orElseThrow(() -> TaskFields.invalid("taskId", "is required"));
            if (!TASK_ID.matcher(id).matches()) {
                throw TaskFields.invalid("taskId", "must be 1 to 128 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
            }
            return id;
        }
        if (inBody.isPresent() && !inBody.get().equals(fromPath)) {
            throw TaskFields.invalid("taskId", "differs from the task id in the path");
        }
        return fromPath;
    }

    private static Optional<String> installation(TaskFields fields) {
        if (!fields.has("installationId")) {
            return Optional.empty();
        }
        JsonNode value = fields.raw("installationId");
        String text = value.isIntegralNumber() ? value.asText() : value.isTextual() ? value.asText() : "";
        if (!INSTALLATION.matcher(text).matches()) {
            throw TaskFields.invalid("installationId", "must be a string of letters, digits, '_' or '-', or a number");
        }
        return Optional.of(text);
    }

    private Duration timeLimit(TaskFields fields) {
        Optional<Long> seconds = fields.optionalInteger("timeLimitSeconds");
        if (seconds.isEmpty()) {
            return maxTimeLimit;
        }
        if (seconds.get() < 1) {
            throw TaskFields.invalid("timeLimitSeconds", "must be at least 1");
        }
        Duration asked = Duration.ofSeconds(seconds.get());
        return asked.compareTo(maxTimeLimit) > 0 ? maxTimeLimit : asked;
    }

    private static Task.Repository repository(TaskFields repo, AppSettings app) {
        String text = repo.text("cloneUrl", 2048);
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw TaskFields.invalid("repository.cloneUrl", "not a URL");
        }
        if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw TaskFields.invalid("repository.cloneUrl", "must not carry credentials, a query or a fragment");
        }
        if (!sameOrigin(url, app.webUrl())) {
            throw TaskFields.invalid("repository.cloneUrl", "must be on the app's web URL "
                + origin(app.webUrl()) + " (the clone token is sent there)");
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("^/+|/+$", "")
            .replaceAll("\\.git$", "");
        List<String> segments = List.of(path.split("/"));
        if (segments.size() < 2 || segments.stream().anyMatch(s -> !SEGMENT.matcher(s).matches() || s.equals(".")
            || s.equals(".."))) {
            throw TaskFields.invalid("repository.cloneUrl", "must name a repository as /owner/repo");
        }
        String ref = ref(repo, "ref");
        String sha = repo.matching("sha", SHA, "must be a 40-character hex commit id").toLowerCase(Locale.ROOT);
        return new Task.Repository(url, ref, sha, path);
    }

    private static String ref(TaskFields fields, String name) {
        String ref = fields.text(name, 255);
        if (BAD_REF.matcher(ref).find() || ref.equals("@")) {
            throw TaskFields.invalid(fields.key(name), "not a valid git ref name");
        }
        return ref;
    }

    private URI resultUrl(TaskFields fields) {
        String text = fields.text("resultUrl", 2048);
        try {
            URI url = new URI(text);
            if (url.getRawUserInfo() == null && sameOrigin(url, cloudUrl)) {
                return url;
            }
        } catch (URISyntaxException e) {
            // refused below
        }
        throw TaskFields.invalid("resultUrl", "must be on the cloud's origin " + origin(cloudUrl));
    }

    private Task.Analysis analysis(TaskFields fields) {
        List<Task.Step> analyzers = new ArrayList<>();
        for (TaskFields analyzer : fields.objects("analyzers", 1, 16)) {
            analyzers.add(step(analyzer, null));
        }
        Optional<String> baseSha = fields.has("baseSha")
            ? Optional.of(fields.matching("baseSha", SHA, "must be a 40-character hex commit id").toLowerCase(Locale.ROOT))
            : Optional.empty();
        return new Task.Analysis(analyzers, baseSha);
    }

    private Task.Patch patch(TaskFields fields) {
        JsonNode diff = fields.raw("patch");
        if (diff == null || !diff.isTextual() || diff.asText().isBlank()) {
            throw TaskFields.invalid("patch", diff == null || diff.isNull() ? "is required" : "must be unified diff text");
        }
        Task.Commit commit = pushCommit(fields.object("commit"));
        Optional<Task.PullRequest> pr = fields.optionalObject("pullRequest").map(p -> new Task.PullRequest(
            p.text("title", 256), p.has("body") ? bodyText(p) : "",
            p.has("base") ? Optional.of(ref(p, "base")) : Optional.empty()));
        return new Task.Patch(diff.asText(), commit, pr);
    }

    private static String bodyText(TaskFields pr) {
        JsonNode body = pr.raw("body");
        if (!body.isTextual() || body.asText().length() > 65_536) {
            throw TaskFields.invalid("pullRequest.body", "must be a string of at most 65536 characters");
        }
        return body.asText();
    }

    /** A commit a job pushes: only to a branch under {@code tasks.push.branchPrefix}, never the default branch. */
    private Task.Commit pushCommit(TaskFields fields) {
        Task.Commit commit = commit(fields);
        String branch = commit.branch().startsWith("refs/heads/") ? commit.branch().substring("refs/heads/".length())
            : commit.branch();
        if (!branch.startsWith(push.branchPrefix()) || branch.length() == push.branchPrefix().length()) {
            throw TaskFields.invalid("commit.branch", "must be a branch under " + push.branchPrefix()
                + " (tasks.push.branchPrefix)");
        }
        return commit;
    }

    private static Task.Commit commit(TaskFields commit) {
        String branch = ref(commit, "branch");
        JsonNode message = commit.raw("message");
        if (message == null || !message.isTextual() || message.asText().isBlank() || message.asText().length() > 65_536) {
            throw TaskFields.invalid("commit.message", "must be a non-empty string of at most 65536 characters");
        }
        TaskFields author = commit.object("author");
        String name = author.text("name", 200);
        if (name.contains("<") || name.contains(">")) {
            throw TaskFields.invalid("commit.author.name", "must not contain '<' or '>'");
        }
        String email = author.matching("email", EMAIL, "not an email address");
        return new Task.Commit(branch, message.asText(), name, email);
    }

    private Task.Step step(TaskFields step, String defaultName) {
        String name = defaultName != null && !step.has("name") ? defaultName : step.text("name", 128);
        String image = step.matching("image", IMAGE, "not a container image reference");
        List<String> command = step.strings("command", 256);
        String cpu = quantity(step, "cpu", true, resources.defaultCpu(), resources.maxCpu(), "maxCpu");
        String memory = quantity(step, "memory", false, resources.defaultMemory(), resources.maxMemory(), "maxMemory");
        return new Task.Step(name, image, command, cpu, memory);
    }

    private static String quantity(TaskFields step, String name, boolean cpu, String fallback, String max,
        String maxKey) {
        if (!step.has(name)) {
            return fallback;
        }
        JsonNode raw = step.raw(name);
        String text = raw.isTextual() ? raw.asText() : raw.isNumber() ? raw.asText() : "";
        BigDecimal amount = Quantities.parse(text, cpu)
            .orElseThrow(() -> TaskFields.invalid(step.key(name), "not a Kubernetes quantity"));
        if (amount.compareTo(Quantities.parse(max, cpu).orElseThrow()) > 0) {
            throw TaskFields.invalid(step.key(name), "over the maximum of " + max + " (tasks.resources." + maxKey + ")");
        }
        return text;
    }

    /** {@code task.json}: the task as sent, with its id, its app's VCS, and unknown fields moved under payload. */
    private ObjectNode jobDocument(ObjectNode sent, String type, String id, AppSettings app, Duration timeLimit,
        Task.Body body) {
        ObjectNode document = sent.deepCopy();
        Set<String> known = new HashSet<>(COMMON);
        known.addAll(TYPE_FIELDS.get(type));
        ObjectNode payload;
        JsonNode given = document.get("payload");
        if (given == null || given.isNull()) {
            payload = JSON.createObjectNode();
        } else if (given.isObject()) {
            payload = (ObjectNode) given;
        } else {
            throw TaskFields.invalid("payload", "must be an object");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = document.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!known.contains(name)) {
                unknown.add(name);
            }
        }
        for (String name : unknown) {
            if (payload.has(name)) {
                throw TaskFields.invalid(name, "is also a field of payload");
            }
            payload.set(name, document.remove(name));
        }
        if (!payload.isEmpty() || given != null) {
            document.set("payload", payload);
        }
        document.put("taskId", id);
        document.put("vcs", app.vcs());
        document.put("timeLimitSeconds", timeLimit.toSeconds());
        if (body instanceof Task.Patch || body instanceof Task.Transformer) {
            ObjectNode rules = document.putObject("push");
            rules.put("branchPrefix", push.branchPrefix());
            push.allowPaths().forEach(rules.putArray("allowPaths")::add);
        }
        if (body instanceof Task.Patch patch) {
            document.remove("patch"); // the diff travels as patch.diff
            if (patch.pullRequest().isPresent()) {
                document.put("proxyUrl", proxyUrl.toString());
            }
        }
        return document;
    }

    static boolean sameOrigin(URI url, URI origin) {
        return url.isAbsolute() && url.getHost() != null && origin.getHost() != null
            && url.getScheme().equalsIgnoreCase(origin.getScheme())
            && url.getHost().equalsIgnoreCase(origin.getHost())
            && port(url) == port(origin);
    }

    private static int port(URI url) {
        if (url.getPort() >= 0) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : "http".equalsIgnoreCase(url.getScheme()) ? 80 : -1;
    }

    private static String origin(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
    }
}
