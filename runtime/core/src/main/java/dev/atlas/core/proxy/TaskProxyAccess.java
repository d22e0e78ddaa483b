package dev.atlas.core.proxy;

import com.nimbusds.jose.JWSObject;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.keys.TokenRejected;
import dev.atlas.core.tasks.TaskTokens;
import java.text.ParseException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second kind of bearer token the VCS proxy accepts: the task-scoped proxy token Atlas gives a patch job that
 * opens a pull request ({@link TaskTokens}, JOSE {@code typ: atlas-proxy+jwt}). Such a token is verified with
 * Atlas's own signing keys (never the cloud's keys), and allows exactly one call: {@code POST} of a new pull (merge)
 * request on the repository named in the token, for the app named in the token, without a query string:
 * <ul>
 *   <li>GitHub: {@code /repos/{owner}/{repo}/pulls}</li>
 *   <li>GitLab: {@code /projects/{numeric id}/merge_requests}, the id Atlas looked up when it built the job (the token's
 *       {@code repo_id}; the URL-encoded path form holds an encoded {@code /}, which path normalisation refuses)</li>
 *   <li>Bitbucket Cloud: {@code /repositories/{workspace}/{slug}/pullrequests}</li>
 *   <li>Bitbucket Data Center: {@code /rest/api/1.0/projects/{PROJECT}/repos/{repo}/pull-requests} (its apiUrl is the
 *       server's base URL, as the built-in policy's paths assume)</li>
 * </ul>
 * (the same paths the patcher builds from the clone URL and {@code task.json}'s {@code repositoryId}). The call then
 * passes the app's policy like any other, body included (a merge request may only target its own project).
 * Tokens of other types (the cloud's, result tokens, identity-provider tokens) never take this path.
 */
final class TaskProxyAccess {
    private static final Logger LOG = LoggerFactory.getLogger(TaskProxyAccess.class);
    private static final Pattern NUMERIC_ID = Pattern.compile("[1-9][0-9]{0,18}");

    private TaskProxyAccess() {
    }

    /**
     * The grant of the request's bearer token when it is a proxy token; empty when it is another kind of token (the
     * cloud's, checked by the caller).
     *
     * @throws AtlasException 401 when it is a proxy token that does not verify
     */
    static Optional<TaskTokens.ProxyGrant> grant(InboundRequest request, Optional<TaskTokens> tokens) {
        Optional<String> header = request.header("Authorization");
        if (header.isEmpty() || !header.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = header.get().substring(7).trim();
        try {
            if (!TaskTokens.PROXY_TYPE.equals(JWSObject.parse(token).getHeader().getType())) {
                return Optional.empty();
            }
        } catch (ParseException e) {
            return Optional.empty(); // the cloud authenticator refuses it with its own reason
        }
        if (tokens.isEmpty()) {
            throw AtlasException.unauthorized("task tokens are not accepted here");
        }
        try {
            return Optional.of(tokens.get().verifyProxyToken(token));
        } catch (TokenRejected e) {
            LOG.info("task proxy token refused: {}", e.getMessage());
            throw AtlasException.unauthorized("the task token does not verify: " + e.getMessage());
        }
    }

    /** Refuses (403) anything but the grant's own pull-request call. */
    static void check(TaskTokens.ProxyGrant grant, String appId, String vcs, InboundRequest request, boolean graphql,
        String restPath) {
        if (!grant.appId().equals(appId) || !grant.vcs().equals(vcs)) {
            throw forbidden("the task token is for another app");
        }
        Optional<String> expected = pullRequestPath(vcs, grant.repository(), grant.repositoryId());
        if (graphql || !"POST".equals(request.method()) || request.rawQuery().isPresent() || expected.isEmpty()
            || !expected.get().equals(restPath)) {
            throw forbidden("the task token allows only opening a pull request on " + grant.repository());
        }
    }

    /**
     * The REST path of "open a pull request" on {@code repository} (its clone URL's path), per VCS; for GitLab only
     * with the project's numeric id.
     */
    static Optional<String> pullRequestPath(String vcs, String repository, Optional<String> repositoryId) {
        String[] segments = repository.split("/");
        if (segments.length < 2) {
            return Optional.empty();
        }
        String lastTwo = segments[segments.length - 2] + "/" + segments[segments.length - 1];
        return switch (vcs) {
            case "github" -> Optional.of("/repos/" + lastTwo + "/pulls");
            case "gitlab" -> repositoryId.filter(id -> NUMERIC_ID.matcher(id).matches())
                .map(id -> "/projects/" + id + "/merge_requests");
            case "bitbucket" -> Optional.of("/repositories/" + lastTwo + "/pullrequests");
            case "bitbucket-dc" -> Optional.of("/rest/api/1.0/projects/" + segments[segments.length - 2] + "/repos/"
                + segments[segments.length - 1] + "/pull-requests");
            default -> Optional.empty();
        };
    }

    private static AtlasException forbidden(String message) {
        return new AtlasException(ErrorKind.FORBIDDEN, message);
    }
}
