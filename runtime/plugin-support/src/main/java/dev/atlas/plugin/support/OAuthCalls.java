package dev.atlas.plugin.support;

import java.util.Map;
import java.util.LinkedHashMap;
import java.net.URI;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The requests of an OAuth authorization-code login that every VCS answers alike: the code exchange at the token
 * endpoint and the bounded, timed-out calls around it, with failures turned into the plugin's own exception
 * ({@code E}, in practice the plugin API's {@code LoginException}) so this module needs no plugin API types. Messages
 * name the VCS and the step, never a token or a code: they are shown to the user. Thread-safe; calls block on the VCS
 * for at most {@link Upstream#TIMEOUT} each.
 *
 * @param <E> the exception a failed login is reported as
 */
public final class OAuthCalls<E extends Exception> {
    private final String vcsName;
    private final HttpClient http;
    private final Function<String, E> failure;
    private final BiFunction<String, Throwable, E> failureWithCause;

    /**
     * Calls for one VCS.
     *
     * @param vcsName the VCS as users know it ({@code GitHub}, {@code Bitbucket Data Center}), for messages
     * @param http the host's HTTP client
     * @param failure makes the exception for a refused or unusable answer
     * @param failureWithCause makes the exception for a VCS that could not be reached, or an interrupted wait
     */
    public OAuthCalls(String vcsName, HttpClient http, Function<String, E> failure, BiFunction<String, Throwable, E> failureWithCause) {
        this.vcsName = vcsName;
        this.http = http;
        this.failure = failure;
        this.failureWithCause = failureWithCause;
    }

    /**
     * The authorization request of the standard code flow (RFC 6749 §4.1.1): {@code endpoint} with {@code client_id},
     * {@code redirect_uri}, {@code response_type=code}, {@code state} and {@code scope}, URL-encoded.
     */
    public static URI authorizationRequest(URI endpoint, String clientId, URI callback, String state, String scope) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", clientId);
        query.put("redirect_uri", callback.toString());
        query.put("response_type", "code");
        query.put("state", state);
        query.put("scope", scope);
        return Upstream.withQuery(endpoint, query);
    }

    /**
     * The access token request of the standard code flow (RFC 6749 §4.1.3) with the client's credentials in the form
     * body ({@code client_secret_post}), sent through {@link #accessToken}.
     */
    public String exchangeCode(URI tokenEndpoint, String clientId, String clientSecret, String code, URI callback)
        throws E {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        form.put("code", code);
        form.put("grant_type", "authorization_code");
        form.put("redirect_uri", callback.toString());
        return accessToken(HttpRequest.newBuilder(tokenEndpoint).POST(HttpRequest.BodyPublishers.ofString(Upstream.form(form))));
    }

    /**
     * Exchanges the code: sends {@code formPost} (the token endpoint with its form body) as JSON-accepting form POST and
     * returns the access token.
     *
     * @throws E when the VCS reports an OAuth error (even with status 200, as GitHub does), answers a non-2xx status,
     *     returns no token, or cannot be reached
     */
    public String accessToken(HttpRequest.Builder formPost) throws E {
        Upstream.Reply reply = send(formPost.header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json"), "the code exchange");
        JsonNode body = reply.json();
        if (body.hasNonNull("error")) {
            throw failure.apply(vcsName + " refused the login: " + Upstream.printable(body.path("error").asText()));
        }
        if (!reply.ok()) {
            throw failed(reply, "the code exchange");
        }
        String token = body.path("access_token").asText("");
        if (token.isEmpty()) {
            throw failure.apply(vcsName + "'s code exchange returned no access token");
        }
        return token;
    }

    /**
     * Sends {@code request} with the {@link Upstream#TIMEOUT}; any status is returned.
     *
     * @param what the step, for messages ({@code the profile request})
     * @throws E when the VCS cannot be reached or the thread is interrupted (its interrupt flag is set again)
     */
    public Upstream.Reply send(HttpRequest.Builder request, String what) throws E {
        try {
            return Upstream.send(http, request.timeout(Upstream.TIMEOUT).build());
        } catch (IOException e) {
            throw failureWithCause.apply(vcsName + " could not be reached for " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failureWithCause.apply("interrupted during " + what, e);
        }
    }

    /** The exception for an unexpected status in step {@code what}; the caller throws it. */
    public E failed(Upstream.Reply reply, String what) {
        return failure.apply(vcsName + " answered " + reply.status() + " to " + what);
    }
}
