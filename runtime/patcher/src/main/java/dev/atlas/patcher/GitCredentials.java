package dev.atlas.patcher;

import java.util.Objects;
import org.eclipse.jgit.errors.UnsupportedCredentialItem;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;

/**
 * Hands the clone token to JGit only when JGit asks for the clone URL's own host and port: the token lives in
 * memory and in the HTTP Authorization header, never in a URL, the repository config or a credential helper. Atlas's
 * git endpoint hands the VCS credential to JGit the same way.
 */
public final class GitCredentials extends CredentialsProvider {
    private final URIish cloneUri;
    private final String user;
    private final char[] token;

    /** Gives {@code user} and {@code token} to JGit for {@code cloneUri}'s scheme, host and port only. */
    public GitCredentials(URIish cloneUri, String user, String token) {
        this.cloneUri = cloneUri;
        this.user = user;
        this.token = token.toCharArray();
    }

    @Override
    public boolean isInteractive() {
        return false;
    }

    @Override
    public boolean supports(CredentialItem... items) {
        for (CredentialItem item : items) {
            if (!(item instanceof CredentialItem.Username) && !(item instanceof CredentialItem.Password)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
        if (!sameOrigin(uri)) {
            return false;
        }
        for (CredentialItem item : items) {
            if (item instanceof CredentialItem.Username username) {
                username.setValue(user);
            } else if (item instanceof CredentialItem.Password password) {
                password.setValue(token.clone());
            } else {
                throw new UnsupportedCredentialItem(uri, item.getClass().getSimpleName());
            }
        }
        return true;
    }

    private boolean sameOrigin(URIish uri) {
        return uri != null && Objects.equals(uri.getScheme(), cloneUri.getScheme())
            && Objects.equals(uri.getHost(), cloneUri.getHost()) && uri.getPort() == cloneUri.getPort();
    }

    @Override
    public String toString() {
        return "GitCredentials[user=" + user + ", token redacted]";
    }
}
