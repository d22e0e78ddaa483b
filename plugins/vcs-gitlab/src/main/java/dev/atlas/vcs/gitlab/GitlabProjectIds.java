package dev.atlas.vcs.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.api.Secret;
import dev.atlas.api.vcs.CredentialException;
import dev.atlas.plugin.support.Upstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Looks up a project's numeric id: {@code GET /projects/:url-encoded-path} with the app's token, called by Atlas
 * when it builds a patch job that opens a merge request (the job then calls {@code /projects/<id>/merge_requests}
 * through the proxy). The answer must name the same project ({@code path_with_namespace}) and carry a numeric id.
 */
final class GitlabProjectIds {
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+");
    private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.{1,2}(/|$)");
    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,18}");

    private GitlabProjectIds() {
    }

    static String resolve(HttpClient http, URI apiUrl, Secret token, String path) throws CredentialException {
        if (!PATH.matcher(path).matches() || DOT_SEGMENT.matcher(path).find()) {
            throw new CredentialException("not a GitLab project path", false);
        }
        HttpRequest request = HttpRequest.newBuilder(Upstream.join(apiUrl, "/projects/" + Upstream.encode(path)))
            .timeout(Upstream.TIMEOUT)
            .header("Accept", "application/json")
            .header("Authorization", "Bearer " + token.reveal())
            .GET().build();
        Upstream.Reply reply;
        try {
            reply = Upstream.send(http, request);
        } catch (IOException e) {
            throw new CredentialException("GitLab cannot be reached for the project id", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CredentialException("interrupted while asking GitLab for the project id", true, e);
        }
        if (!reply.ok()) {
            throw new CredentialException("GitLab answered HTTP " + reply.status() + " for the project "
                + Upstream.printable(path), reply.transientFailure());
        }
        JsonNode project = reply.json();
        String id = project.path("id").isIntegralNumber() ? project.path("id").asText() : "";
        String named = project.path("path_with_namespace").asText("");
        if (!ID.matcher(id).matches() || !named.toLowerCase(Locale.ROOT).equals(path.toLowerCase(Locale.ROOT))) {
            throw new CredentialException("GitLab's answer for the project " + Upstream.printable(path)
                + " does not name it with a numeric id", false);
        }
        return id;
    }
}
