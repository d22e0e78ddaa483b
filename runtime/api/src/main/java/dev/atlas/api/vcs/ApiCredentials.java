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

    /** Where GraphQL requests go ({@code https://api.github.com/graphql}, {@code https://ghe/api/graphql}). */
    URI graphqlEndpoint();
}
