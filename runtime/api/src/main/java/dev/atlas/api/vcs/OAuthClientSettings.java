package dev.atlas.api.vcs;

import dev.atlas.api.Secret;

/** The OAuth client registered at the VCS for user login through Atlas ({@code apps[j].oauth}). */
public record OAuthClientSettings(String clientId, Secret clientSecret) {
}
