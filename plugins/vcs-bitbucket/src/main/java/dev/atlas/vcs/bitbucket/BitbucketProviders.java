package dev.atlas.vcs.bitbucket;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;
import java.util.Optional;

/** What both Bitbucket factories do once they know their flavour. */
final class BitbucketProviders {
    private BitbucketProviders() {
    }

    static VcsProvider configure(BitbucketFlavor flavor, AppSettings app, ConfigSection section) {
        Optional<BitbucketConfig> config = BitbucketConfig.read(flavor, section);
        if (config.isEmpty()) {
            return new MisconfiguredProvider(app);
        }
        return app.oauth()
            .<VcsProvider>map(client -> new BitbucketOAuthVcsProvider(app, flavor, config.get(), client))
            .orElseGet(() -> new BitbucketVcsProvider(app, flavor, config.get()));
    }
}
