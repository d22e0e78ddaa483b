package dev.atlas.proxy;

import com.nimbusds.jose.JWSObject;
import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import dev.atlas.core.http.InboundRequest;
import dev.atlas.core.keys.TokenRejected;
import dev.atlas.core.tokens.TaskTokens;
import java.text.ParseException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second kind of bearer token the VCS proxy accepts: the task-scoped proxy token Atlas gives a patch job that
 * opens a pull request ({@link TaskTokens}, JOSE {@code typ: atlas-proxy+jwt}). Such a token is verified with
 * Atlas's own signing keys (never the cloud's keys), and allows exactly one call, for the app named in the token,
 * without a query string: the method and REST path in its {@code pr_method} and {@code pr_path} claims, which the
 * app's plugin built when Atlas built the job ({@code PullRequests}; the same call the patcher finds in
 * {@code task.json}'s {@code pullRequestCall}). The host knows no VCS's paths. The call then passes the app's policy
 * like any other, body included (a merge request may only target its own project).
 * Tokens of other types (the cloud's, result tokens, identity-provider tokens) never take this path.
 */
final class TaskProxyAccess {
    private static final Logger LOG = LoggerFactory.getLogger(TaskProxyAccess.class);

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
        if (graphql || !grant.method().equals(request.method()) || request.rawQuery().isPresent()
            || !grant.path().equals(restPath)) {
            throw forbidden("the task token allows only opening a pull request on " + grant.repository());
        }
    }

    private static AtlasException forbidden(String message) {
        return new AtlasException(ErrorKind.FORBIDDEN, message);
    }
}
