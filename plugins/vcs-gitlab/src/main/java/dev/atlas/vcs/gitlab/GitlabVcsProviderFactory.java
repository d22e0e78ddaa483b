package dev.atlas.vcs.gitlab;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;
import dev.atlas.api.vcs.VcsProviderFactory;
import java.util.Optional;
import org.pf4j.Extension;

/**
 * The {@code gitlab} VCS (gitlab.com and self-managed GitLab). Reads {@code apps[j].gitlab} ({@link GitlabConfig});
 * an app with an {@code oauth} client also logs users in.
 */
@Extension
public final class GitlabVcsProviderFactory implements VcsProviderFactory {

    @Override
    public String id() {
        return "gitlab";
    }

    @Override
    public String configSection() {
        return "gitlab";
    }

    @Override
    public VcsProvider configure(AppSettings app, ConfigSection section, Problems problems) {
        Optional<GitlabConfig> config = GitlabConfig.read(app, section);
        if (config.isEmpty()) {
            return new MisconfiguredProvider(app);
        }
        return app.oauth()
            .<VcsProvider>map(client -> new GitlabOAuthVcsProvider(app, config.get(), client))
            .orElseGet(() -> new GitlabVcsProvider(app, config.get()));
    }
}
