package dev.atlas.vcs.bitbucket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.VcsUser;
import dev.atlas.plugin.support.Upstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

/** The OAuth login of one Bitbucket flavour, plus the request plumbing both share. */
abstract class OAuthFlow {
    private final String vcsName;
    private final HttpClient http;

    OAuthFlow(String vcsName, HttpClient http) {
        this.vcsName = vcsName;
        this.http = http;
    }

    abstract URI authorizeUrl(URI callback, String state);

    abstract VcsUser exchange(String code, URI callback) throws LoginException;

    /** Sends a form to the token endpoint and returns the access token, or fails with the OAuth error code. */
    String accessToken(HttpRequest.Builder request) throws LoginException {
        Upstream.Reply reply = send(request.header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json"), "the code exchange");
        JsonNode body = reply.json();
        if (body.hasNonNull("error")) {
            throw new LoginException(vcsName + " refused the login: " + Upstream.printable(body.path("error").asText()));
        }
        if (!reply.ok()) {
            throw new LoginException(vcsName + " answered " + reply.status() + " to the code exchange");
        }
        String token = body.path("access_token").asText("");
        if (token.isEmpty()) {
            throw new LoginException(vcsName + "'s code exchange returned no access token");
        }
        return token;
    }

    /** A GET with the user's token. */
    Upstream.Reply get(URI uri, String token, String what) throws LoginException {
        return send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).GET(), what);
    }

    LoginException failed(Upstream.Reply reply, String what) {
        return new LoginException(vcsName + " answered " + reply.status() + " to " + what);
    }

    private Upstream.Reply send(HttpRequest.Builder request, String what) throws LoginException {
        try {
            return Upstream.send(http, request.timeout(Upstream.TIMEOUT).build());
        } catch (IOException e) {
            throw new LoginException(vcsName + " could not be reached for " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoginException("interrupted during " + what, e);
        }
    }
}
