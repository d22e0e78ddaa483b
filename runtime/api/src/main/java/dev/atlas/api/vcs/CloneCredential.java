package dev.atlas.api.vcs;

import dev.atlas.api.Secret;

/**
 * HTTPS basic credentials a job uses to clone or push ({@code x-access-token} and an installation token on GitHub,
 * {@code oauth2} and a token on GitLab, {@code x-token-auth} on Bitbucket).
 */
public record CloneCredential(String username, Secret password) {
}
