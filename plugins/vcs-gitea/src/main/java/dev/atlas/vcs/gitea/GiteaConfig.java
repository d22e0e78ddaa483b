package dev.atlas.vcs.gitea;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ConfigSection;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code apps[j].gitea} section.
 *
 * <pre>
 * gitea:
 *   token: ${env:GT_TOKEN}   # access token of the Atlas service account (scopes: read:user, write:repository, write:issue)
 * </pre>
 *
 * @param token the access token injected into proxied calls ({@code Authorization: token ...}) and used for cloning
 */
record GiteaConfig(Secret token) {
    static final Set<String> KEYS = Set.of("token");

    /** Reads and checks the section; every problem goes out with its full key, the token's value never. */
    static Optional<GiteaConfig> read(ConfigSection section) {
        // an absent section reports its token as missing, under its full key
        section.allowOnly(KEYS);
        Optional<Secret> token = section.requiredSecret("token");
        if (token.isPresent() && token.get().reveal().chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            // a header value with a line break or space would split or corrupt the Authorization header
            section.problems().add(section.keyOf("token"), "must not contain spaces or control characters");
            return Optional.empty();
        }
        return token.map(GiteaConfig::new);
    }
}
