package dev.atlas.patcher;

import java.util.Arrays;
import java.util.Optional;

/** The VCS a repository lives on: decides the clone user name and the shape of the pull-request call. */
public enum Vcs {
    GITHUB("github", "x-access-token"),
    GITLAB("gitlab", "oauth2"),
    BITBUCKET("bitbucket", "x-token-auth"),
    BITBUCKET_DC("bitbucket-dc", "x-token-auth");

    private final String id;
    private final String cloneUser;

    Vcs(String id, String cloneUser) {
        this.id = id;
        this.cloneUser = cloneUser;
    }

    /** The id used in task JSON and config ({@code bitbucket-dc}). */
    public String id() {
        return id;
    }

    /** The HTTP user name that goes with an access token on this VCS, unless the secrets dir names another. */
    public String defaultCloneUser() {
        return cloneUser;
    }

    /** The VCS with this id, if any. */
    public static Optional<Vcs> byId(String id) {
        return Arrays.stream(values()).filter(v -> v.id.equals(id)).findFirst();
    }
}
