package dev.atlas.vcs.bitbucket;

import dev.atlas.api.vcs.LoginException;
import dev.atlas.api.vcs.VcsUser;
import dev.atlas.plugin.support.OAuthCalls;
import dev.atlas.plugin.support.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

/** The OAuth login of one Bitbucket flavour, plus the request plumbing both share. */
abstract class OAuthFlow {
    final OAuthCalls<LoginException> calls;

    OAuthFlow(String vcsName, HttpClient http) {
        this.calls = new OAuthCalls<>(vcsName, http, LoginException::new, LoginException::new);
    }

    abstract URI authorizeUrl(URI callback, String state);

    abstract VcsUser exchange(String code, URI callback) throws LoginException;

    /** Sends a form to the token endpoint and returns the access token, or fails with the OAuth error code. */
    String accessToken(HttpRequest.Builder request) throws LoginException {
        return calls.accessToken(request);
    }

    /** A GET with the user's token. */
    Upstream.Reply get(URI uri, String token, String what) throws LoginException {
        return calls.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).GET(), what);
    }

    LoginException failed(Upstream.Reply reply, String what) {
        return calls.failed(reply, what);
    }
}
