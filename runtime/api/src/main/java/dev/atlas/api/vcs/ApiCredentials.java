package dev.atlas.api.vcs;

import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Capability of a {@link VcsProvider}: the VCS credentials Atlas injects. The cloud never sees them. */
public interface ApiCredentials {

    /**
     * Headers that authenticate a proxied call to the VCS API ({@code Authorization: Bearer <installation token>}).
     * Called for each proxied call after the policy allowed it. May block on minting a token at the VCS (GitHub
     * App installation tokens), so implementations cache tokens until shortly before they expire.
     *
     * @throws CredentialException when no credential can be had; nothing is forwarded then
     */
    Map<String, String> authHeaders(ApiTarget target) throws CredentialException;

    /**
     * Credentials a job clones (and a patch job pushes) with. Called once per task at submission. May block like
     * {@link #authHeaders}.
     */
    CloneCredential cloneCredential(ApiTarget target) throws CredentialException;

    /**
     * A credential Atlas's git endpoint fetches (or pushes) one task's repository with, used inside Atlas only and
     * handed to {@link #revoke} once that fetch or push is done. Providers that can narrow a credential to the
     * repository of {@code target} and to {@code access} do so and mint a fresh one per call, never cached nor shared
     * with the API proxy (GitHub: an installation token for that one repository with {@code contents: read} or
     * {@code write}). The default is {@link #cloneCredential(ApiTarget)}, for VCSs whose credential is a configured
     * token.
     *
     * @throws CredentialException when no credential can be had; nothing is fetched or pushed then
     */
    default CloneCredential cloneCredential(ApiTarget target, GitAccess access) throws CredentialException {
        return cloneCredential(target);
    }

    /**
     * Ends a credential {@link #cloneCredential(ApiTarget, GitAccess)} gave, as soon as Atlas is done with it
     * (GitHub: {@code DELETE /installation/token}). Best effort: never throws; the credential expires on its own if the
     * VCS cannot be reached. The default does nothing (a configured token is not Atlas's to revoke).
     */
    default void revoke(CloneCredential credential) {
    }

    /**
     * What a proxied call is about, read from the VCS API path the caller asked for and the caller's headers, for
     * {@link #authHeaders}. Only the plugin knows its API's path shapes (GitHub {@code /repos/{owner}/{repo}/...},
     * GitLab {@code /projects/{id}/...}); the host parses none. Called after the policy allowed the call; does no I/O.
     * A path the plugin does not recognise, or one that is not plain (encoded characters, {@code .} or {@code ..}
     * segments, empty segments, overlong), names no repository. The default names nothing, for VCSs whose credential
     * does not depend on the repository.
     *
     * @param restPath the REST path below {@code /vcs/rest} as received, without the query
     *     ({@code /repos/acme/api/pulls/7}); empty for a GraphQL call
     * @param header the caller's request header of that name (first value), if sent
     */
    default ApiTarget target(String restPath, Function<String, Optional<String>> header) {
        return ApiTarget.none();
    }

    /**
     * Lowercase names of the VCS's own API request headers a caller may send through the proxy
     * ({@code x-github-api-version}), beyond the ones every VCS gets (content negotiation, conditional requests,
     * {@code User-Agent}). Credentials, cookies and forwarding headers never cross, whatever this says.
     */
    default Set<String> apiRequestHeaders() {
        return Set.of();
    }

    /**
     * Lowercase names of the VCS's own API response headers passed back to the caller (request ids, pagination such
     * as GitLab's {@code x-total}), beyond the ones every VCS gets (type, caching, {@code Link}, {@code Retry-After},
     * {@code x-ratelimit-*}). A header that can carry repository content must not be among them.
     */
    default Set<String> apiResponseHeaders() {
        return Set.of();
    }
}
