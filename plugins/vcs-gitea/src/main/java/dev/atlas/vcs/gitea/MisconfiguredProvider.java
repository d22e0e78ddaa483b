package dev.atlas.vcs.gitea;

import dev.atlas.api.vcs.AppSettings;
import dev.atlas.api.vcs.VcsProvider;

/**
 * What {@code configure} returns when it recorded problems: the host refuses to start then, and this provider
 * offers no capability that could be used by mistake.
 */
final class MisconfiguredProvider implements VcsProvider {
    private final AppSettings app;

    MisconfiguredProvider(AppSettings app) {
        this.app = app;
    }

    @Override
    public AppSettings app() {
        return app;
    }
}
