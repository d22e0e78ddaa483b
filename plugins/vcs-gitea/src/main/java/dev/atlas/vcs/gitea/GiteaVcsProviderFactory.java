package dev.atlas.vcs.gitea;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import java.util.Optional;
import org.pf4j.Extension;

/**
 * The {@code gitea} VCS: Gitea (1.20 and later) and its fork Forgejo, which answer the same API, webhooks and OAuth
 * endpoints. Reads {@code apps[j].gitea} ({@link GiteaConfig}); an app with an {@code oauth} client also logs users in.
 */
@Extension
public final class GiteaVcsProviderFactory implements VcsProviderFactory {

    @Override
    public String id() {
        return "gitea";
    }

    @Override
    public String configSection() {
        return "gitea";
    }

    @Override
    public VcsProvider configure(AppSettings app, ConfigSection section, Problems problems) {
        Optional<GiteaConfig> config = GiteaConfig.read(section);
        if (config.isEmpty()) {
            return new MisconfiguredProvider(app);
        }
        return app.oauth()
            .<VcsProvider>map(client -> new GiteaOAuthVcsProvider(app, config.get(), client))
            .orElseGet(() -> new GiteaVcsProvider(app, config.get()));
    }
}
