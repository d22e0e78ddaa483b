package dev.atlas.identity;

import dev.atlas.api.vcs.OAuthLogin;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.core.config.AtlasConfig;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the identity provider serves from the config: its issuer ({@code runner.publicUrl} without a trailing slash,
 * the prefix of every endpoint it announces), the clients by id, the apps whose VCS plugin offers {@link OAuthLogin},
 * and how long a login lasts.
 */
final class IdpSettings {
    private final String issuer;
    private final Map<String, AtlasConfig.Client> clients = new LinkedHashMap<>();
    private final Map<String, VcsProvider> loginApps = new LinkedHashMap<>();
    private final Duration sessionTtl;

    IdpSettings(AtlasConfig config, Map<String, VcsProvider> providers) {
        String url = config.runner().publicUrl().toString();
        this.issuer = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        config.auth().clients().forEach(c -> clients.put(c.id(), c));
        providers.forEach((appId, provider) -> {
            if (provider instanceof OAuthLogin) {
                loginApps.put(appId, provider);
            }
        });
        this.sessionTtl = config.auth().sessionTtl();
    }

    String issuer() {
        return issuer;
    }

    /** The absolute address of {@code path} (which starts with {@code /}). */
    String url(String path) {
        return issuer + path;
    }

    /** The callback the VCS sends app {@code appId}'s logins back to. */
    URI callback(String appId) {
        return URI.create(url("/auth/callback/" + appId));
    }

    Optional<AtlasConfig.Client> client(String id) {
        return Optional.ofNullable(clients.get(id));
    }

    Map<String, AtlasConfig.Client> clients() {
        return clients;
    }

    /** The provider of app {@code appId} when it can log users in. */
    Optional<VcsProvider> loginApp(String appId) {
        return Optional.ofNullable(loginApps.get(appId));
    }

    /** The app a request without {@code app} means: the only one that can log users in, if there is exactly one. */
    Optional<String> defaultApp() {
        return loginApps.size() == 1 ? Optional.of(loginApps.keySet().iterator().next()) : Optional.empty();
    }

    Duration sessionTtl() {
        return sessionTtl;
    }
}
