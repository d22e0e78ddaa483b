package dev.atlas.vcs.github;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import java.util.Optional;
import org.pf4j.Extension;

/**
 * The {@code github} VCS: github.com, GHE.com and GitHub Enterprise Server, acting as a GitHub App. Reads
 * {@code apps[j].github} ({@link GithubConfig}); an app with an {@code oauth} client also logs users in.
 */
@Extension
public final class GithubVcsProviderFactory implements VcsProviderFactory {

    @Override
    public String id() {
        return "github";
    }

    @Override
    public String configSection() {
        return "github";
    }

    @Override
    public VcsProvider configure(AppSettings app, ConfigSection section, Problems problems) {
        Optional<GithubConfig> config = GithubConfig.read(section);
        if (config.isEmpty()) {
            return new MisconfiguredProvider(app);
        }
        return app.oauth()
            .<VcsProvider>map(client -> new GithubOAuthVcsProvider(app, config.get(), client))
            .orElseGet(() -> new GithubVcsProvider(app, config.get()));
    }
}
