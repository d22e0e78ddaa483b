package dev.atlas.testkit;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.MapConfigSection;
import dev.atlas.api.config.ProblemList;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.OAuthClientSettings;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/** Builds config sections and app settings for plugin tests. */
public final class ConfigTrees {
    private ConfigTrees() {
    }

    /** A present section at {@code path} over {@code values}, reporting to {@code problems}. */
    public static ConfigSection section(String path, Map<String, ?> values, ProblemList problems) {
        return MapConfigSection.of(path, values, problems);
    }

    /** An absent section at {@code path}. */
    public static ConfigSection absent(String path, ProblemList problems) {
        return MapConfigSection.of(path, null, problems);
    }

    /** App settings as the host would make them for {@code installations[0].apps[0]}. */
    public static AppSettings app(String vcs, String appId, String webUrl, String apiUrl, String webhookSecret) {
        return new AppSettings("acme", appId, vcs, URI.create(webUrl), URI.create(apiUrl), Secret.of(webhookSecret),
            Optional.of(new OAuthClientSettings("client-" + appId, Secret.of("oauth-secret-" + appId))),
            "installations[0].apps[0]");
    }
}
