package dev.atlas.patcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jgit.transport.URIish;

/**
 * Opens the pull (merge) request through Atlas's VCS proxy, so the call passes the same allow-list as every other
 * VCS call and the job never holds a VCS credential: it sends the task-scoped proxy token instead.
 *
 * <p>The repository is {@code repository.path} of task.json (Atlas writes it: the clone URL a job sees is Atlas's git
 * endpoint), else taken from the clone URL: the last two path segments ({@code owner/repo},
 * {@code workspace/slug}, or {@code PROJECT/repo} of Bitbucket Data Center's {@code /scm/PROJECT/repo.git}). GitLab
 * projects are addressed by the numeric project id Atlas looked up and wrote into {@code task.json}
 * ({@code repositoryId}): the URL-encoded path form holds an encoded {@code /}, which the proxy refuses.
 */
final class PullRequestOpener {
    /** The opened request, or why it could not be opened. */
    record Outcome(String url, Long number, String error) {
        static Outcome failed(String error) {
            return new Outcome(null, null, error);
        }
    }

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");

    private final JsonPoster poster;
    private final ObjectMapper mapper;

    PullRequestOpener(JsonPoster poster, ObjectMapper mapper) {
        this.poster = poster;
        this.mapper = mapper;
    }

    Outcome open(PatchTask task, String proxyToken) throws InterruptedException {
        PatchTask.PullRequestSpec pr = task.pullRequest();
        String branch = task.commit().branch();
        List<String> path;
        try {
            path = task.repository().path() != null ? repositoryPath("https://vcs.invalid/" + task.repository().path())
                : repositoryPath(task.repository().cloneUrl());
        } catch (IllegalArgumentException e) {
            return Outcome.failed(e.getMessage());
        }
        String base = task.proxyUrl().toString().replaceAll("/+$", "") + "/vcs/rest/";
        ObjectNode body = mapper.createObjectNode();
        String endpoint;
        switch (task.vcs()) {
            case GITHUB -> {
                endpoint = "repos/" + lastTwo(path) + "/pulls";
                body.put("title", pr.title()).put("body", pr.body()).put("head", branch).put("base", pr.base());
            }
            case GITLAB -> {
                if (task.repositoryId() == null) {
                    return Outcome.failed("task.json has no repositoryId (the GitLab project id) for the merge request");
                }
                endpoint = "projects/" + task.repositoryId() + "/merge_requests";
                body.put("source_branch", branch).put("target_branch", pr.base()).put("title", pr.title())
                    .put("description", pr.body());
            }
            case BITBUCKET -> {
                endpoint = "repositories/" + lastTwo(path) + "/pullrequests";
                body.put("title", pr.title()).put("description", pr.body());
                body.putObject("source").putObject("branch").put("name", branch);
                body.putObject("destination").putObject("branch").put("name", pr.base());
            }
            case BITBUCKET_DC -> {
                String[] projectRepo = lastTwo(path).split("/");
                // the app's apiUrl is the server's base URL (the built-in policy's paths start with /rest/api/1.0)
                endpoint = "rest/api/1.0/projects/" + projectRepo[0] + "/repos/" + projectRepo[1] + "/pull-requests";
                body.put("title", pr.title()).put("description", pr.body());
                body.putObject("fromRef").put("id", "refs/heads/" + branch);
                body.putObject("toRef").put("id", "refs/heads/" + pr.base());
            }
            default -> throw new IllegalStateException("unhandled VCS " + task.vcs());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + proxyToken);
        headers.put("X-App-ID", task.appId());
        if (task.installationId() != null && task.vcs() == Vcs.GITHUB) {
            headers.put("X-Installation-ID", task.installationId());
        }
        HttpResponse<String> response;
        try {
            response = poster.post(URI.create(base + endpoint), headers, body.toString());
        } catch (IOException e) {
            return Outcome.failed("VCS proxy unreachable: " + e.getClass().getSimpleName());
        }
        return outcome(task.vcs(), branch, response);
    }

    private Outcome outcome(Vcs vcs, String branch, HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode json = parse(response.body());
        if (status >= 200 && status < 300) {
            return switch (vcs) {
                case GITHUB -> new Outcome(text(json.path("html_url")), number(json.path("number")), null);
                case GITLAB -> new Outcome(text(json.path("web_url")), number(json.path("iid")), null);
                case BITBUCKET -> new Outcome(text(json.path("links").path("html").path("href")), number(json.path("id")), null);
                case BITBUCKET_DC -> new Outcome(text(json.path("links").path("self").path(0).path("href")), number(json.path("id")), null);
            };
        }
        String reason = response.body() == null ? "" : response.body();
        if ((status == 409 || status == 422 || status == 400) && reason.toLowerCase(Locale.ROOT).contains("already exist")) {
            return Outcome.failed("a pull request for branch " + branch + " already exists");
        }
        String message = firstText(json, "message", "error", "reason");
        return Outcome.failed("VCS proxy answered HTTP " + status + (message == null ? "" : ": " + message));
    }

    /** Path segments of the clone URL without a trailing {@code .git}; each one plain enough to put in a URL path. */
    static List<String> repositoryPath(String cloneUrl) {
        String path;
        try {
            path = new URIish(cloneUrl).getRawPath(); // raw: an encoded "/" must not become a separator
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("cannot read the repository from the clone URL");
        }
        path = path == null ? "" : path.replaceAll("^/+|/+$", "").replaceAll("\\.git$", "");
        List<String> segments = List.of(path.split("/"));
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("cannot read the repository from the clone URL");
            }
        }
        if (segments.size() < 2) {
            throw new IllegalArgumentException("cannot read owner and repository from the clone URL");
        }
        return segments;
    }

    private static String lastTwo(List<String> path) {
        return path.get(path.size() - 2) + "/" + path.get(path.size() - 1);
    }

    private JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? mapper.createObjectNode() : mapper.readTree(body);
        } catch (IOException e) {
            return mapper.createObjectNode();
        }
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    private static Long number(JsonNode node) {
        return node.canConvertToLong() ? node.asLong() : null;
    }

    private static String firstText(JsonNode json, String... names) {
        for (String name : names) {
            if (json.path(name).isTextual()) {
                String value = json.path(name).asText().replaceAll("[\\r\\n]+", " ");
                return value.length() > 200 ? value.substring(0, 200) + "…" : value;
            }
        }
        return null;
    }
}
