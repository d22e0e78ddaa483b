package dev.atlas.api.vcs;

import dev.atlas.api.Secret;
import java.net.URI;
import java.util.Optional;

/**
 * The settings every VCS app has, whatever its VCS: the values under {@code installations[i].apps[j]} except the
 * provider's own section.
 *
 * @param installationId the installation the app belongs to ({@code installations[i].id})
 * @param appId the app id: route key of {@code /webhook/{vcs}/{appId}} and value of {@code X-App-ID}
 * @param vcs the VCS provider id ({@code github}, {@code gitlab}, {@code bitbucket}, {@code bitbucket-dc})
 * @param webUrl the VCS's web address (OAuth pages, clone URLs)
 * @param apiUrl the VCS's API base address
 * @param webhookSecret the secret the VCS signs webhooks with
 * @param oauth the OAuth client the app logs users in with, when configured
 * @param configKey the full key of this app in the config, for error messages
 */
public record AppSettings(
    String installationId,
    String appId,
    String vcs,
    URI webUrl,
    URI apiUrl,
    Secret webhookSecret,
    Optional<OAuthClientSettings> oauth,
    String configKey) {
}
