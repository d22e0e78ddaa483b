package dev.atlas.api.vcs;

import java.net.URI;
import java.util.Map;

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

    /** Where GraphQL requests go ({@code https://api.github.com/graphql}, {@code https://ghe/api/graphql}). */
    URI graphqlEndpoint();
}
