package dev.atlas.plugin.support;

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
