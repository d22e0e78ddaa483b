package dev.atlas.api.vcs;

import java.util.Map;
import java.util.Objects;

/**
 * The one REST call that opens a pull request, as a patch job sends it through Atlas's VCS proxy.
 *
 * @param method the HTTP method ({@code POST})
 * @param path the VCS REST path below the proxy's REST prefix, starting with {@code /} and without a query, e.g.
 *     {@code /repos/acme/api/pulls}; the job's proxy token allows exactly this method and path
 * @param jsonBody the request body: the text of a JSON object
 * @param headers extra headers for the proxy (GitHub: {@code X-Installation-ID}); never a credential
 * @param urlPointer JSON pointer to the pull request's web URL in the VCS's answer, e.g. {@code /html_url}
 * @param numberPointer JSON pointer to the pull request's number in the VCS's answer, e.g. {@code /number}
 */
public record PullRequestCall(String method, String path, String jsonBody, Map<String, String> headers,
    String urlPointer, String numberPointer) {

    public PullRequestCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(jsonBody, "jsonBody");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(urlPointer, "urlPointer");
        Objects.requireNonNull(numberPointer, "numberPointer");
        if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
            throw new IllegalArgumentException("a pull request path starts with / and has no query");
        }
    }
}
