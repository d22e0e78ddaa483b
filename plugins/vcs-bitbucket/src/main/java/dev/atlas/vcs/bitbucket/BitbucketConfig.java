package dev.atlas.vcs.bitbucket;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ConfigSection;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code apps[j].bitbucket} section, shared by both Bitbucket VCS ids.
 *
 * <pre>
 * # vcs: bitbucket (Cloud): an access token, or a user name with an app password (not both)
 * bitbucket: { token: ${env:BB_TOKEN} }
 * bitbucket: { username: acme-bot, appPassword: ${env:BB_APP_PASSWORD} }
 * # vcs: bitbucket-dc (Data Center): an HTTP access token; username optional, used for cloning
 * bitbucket: { token: ${env:BBDC_TOKEN}, username: acme-bot }
 * </pre>
 *
 * @param token the access token (sent as Bearer), when one is configured
 * @param username the user name for Basic auth (Cloud) or cloning (Data Center)
 * @param appPassword the Cloud app password paired with {@code username}
 */
record BitbucketConfig(Optional<Secret> token, Optional<String> username, Optional<Secret> appPassword) {
    static final Set<String> CLOUD_KEYS = Set.of("token", "username", "appPassword");
    static final Set<String> DATA_CENTER_KEYS = Set.of("token", "username");

    static Optional<BitbucketConfig> read(BitbucketFlavor flavor, ConfigSection section) {
        return flavor == BitbucketFlavor.CLOUD ? readCloud(section) : readDataCenter(section);
    }

    private static Optional<BitbucketConfig> readCloud(ConfigSection section) {
        section.allowOnly(CLOUD_KEYS);
        boolean hasToken = section.keys().contains("token");
        boolean hasBasic = section.keys().contains("username") || section.keys().contains("appPassword");
        if (hasToken && hasBasic) {
            section.problems().add(section.keyOf("token"), "give either token, or username and appPassword, not both");
            return Optional.empty();
        }
        if (hasBasic) {
            Optional<String> username = section.requiredString("username").map(String::trim);
            Optional<Secret> appPassword = section.requiredSecret("appPassword");
            if (username.isPresent() && username.get().contains(":")) {
                section.problems().add(section.keyOf("username"), "must not contain ':'");
                return Optional.empty();
            }
            return username.isPresent() && appPassword.isPresent()
                ? Optional.of(new BitbucketConfig(Optional.empty(), username, appPassword))
                : Optional.empty();
        }
        if (!hasToken) {
            section.problems().add(section.keyOf("token"), "must not be empty (or give username and appPassword)");
            return Optional.empty();
        }
        return section.requiredSecret("token").map(t -> new BitbucketConfig(Optional.of(t), Optional.empty(), Optional.empty()));
    }

    private static Optional<BitbucketConfig> readDataCenter(ConfigSection section) {
        section.allowOnly(DATA_CENTER_KEYS);
        Optional<Secret> token = section.requiredSecret("token");
        Optional<String> username = section.string("username").map(String::trim).filter(u -> !u.isEmpty());
        return token.map(t -> new BitbucketConfig(Optional.of(t), username, Optional.empty()));
    }
}
