package dev.atlas.api.vcs;

import java.util.Optional;

/**
 * A user as the VCS knows them after an OAuth login.
 *
 * @param id the VCS's stable user id (numeric on GitHub and GitLab, a UUID on Bitbucket Cloud); never the login
 * @param login the user name
 * @param name the display name, when the VCS has one
 * @param email the primary email, when the VCS shares one
 * @param emailVerified whether the VCS says the email is verified
 */
public record VcsUser(String id, String login, Optional<String> name, Optional<String> email, boolean emailVerified) {
}
