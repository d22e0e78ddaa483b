package dev.atlas.api.vcs;

import java.net.URI;

/** Capability of a {@link VcsProvider}: logs a user in at the VCS with OAuth 2 (Atlas is the client). */
public interface OAuthLogin {

    /**
     * The VCS's authorization page the browser is sent to. Called on the HTTP thread; does no I/O.
     *
     * @param callback Atlas's callback for this app ({@code {publicUrl}/auth/callback/{appId}})
     * @param state Atlas's own signed state, passed back unchanged by the VCS
     */
    URI authorizeUrl(URI callback, String state);

    /**
     * Exchanges the code the VCS sent back for a token and reads the user's profile (with the verified primary
     * email where the VCS offers one). Blocks on the VCS. The VCS token is used here and dropped: it never leaves
     * the provider.
     *
     * @throws LoginException when the VCS refuses the code, answers an error or cannot be reached
     */
    VcsUser exchange(String code, URI callback) throws LoginException;
}
