package dev.atlas.vcs.gitlab;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.vcs.AppSettings;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code apps[j].gitlab} section.
 *
 * <pre>
 * gitlab:
 *   token: ${env:GL_TOKEN}   # personal, group or project access token (scopes: api, read_repository, write_repository)
 * </pre>
 *
 * <p>The app's {@code webhookSecret} picks the webhook scheme: a {@code whsec_<base64>} value means GitLab's
 * HMAC signing token (Standard Webhooks); anything else is the plain secret token GitLab sends in
 * {@code X-Gitlab-Token}.
 *
 * @param token the API token injected into proxied calls and used for cloning
 * @param signingKey the decoded {@code whsec_} key when the app uses signed webhooks
 */
record GitlabConfig(Secret token, Optional<Secret> signingKey) {
    static final Set<String> KEYS = Set.of("token");

    /** Reads and checks the section and the app's webhook secret; problems go out with their full keys. */
    static Optional<GitlabConfig> read(AppSettings app, ConfigSection section) {
        section.allowOnly(KEYS);
        Optional<Secret> token = section.requiredSecret("token");
        Optional<Secret> signingKey = Optional.empty();
        boolean keyOk = true;
        String secret = app.webhookSecret().reveal();
        if (secret.startsWith(StandardWebhookSignature.PREFIX)) {
            try {
                signingKey = Optional.of(StandardWebhookSignature.decodeSecret(secret));
            } catch (IllegalArgumentException e) {
                section.problems().add(app.configKey() + ".webhookSecret", e.getMessage());
                keyOk = false;
            }
        }
        if (token.isEmpty() || !keyOk) {
            return Optional.empty();
        }
        return Optional.of(new GitlabConfig(token.get(), signingKey));
    }
}
