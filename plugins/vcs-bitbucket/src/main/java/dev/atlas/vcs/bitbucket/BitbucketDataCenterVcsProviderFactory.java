package dev.atlas.vcs.bitbucket;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import org.pf4j.Extension;

/**
 * The {@code bitbucket-dc} VCS: Bitbucket Data Center (self-hosted, formerly Bitbucket Server). Reads
 * {@code apps[j].bitbucket} ({@link BitbucketConfig}); an app with an {@code oauth} client also logs users in.
 */
@Extension
public final class BitbucketDataCenterVcsProviderFactory implements VcsProviderFactory {

    @Override
    public String id() {
        return BitbucketFlavor.DATA_CENTER.id();
    }

    @Override
    public String configSection() {
        return "bitbucket";
    }

    @Override
    public VcsProvider configure(AppSettings app, ConfigSection section, Problems problems) {
        return BitbucketProviders.configure(BitbucketFlavor.DATA_CENTER, app, section);
    }
}
