package dev.atlas.api.vcs;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import org.pf4j.ExtensionPoint;

/**
 * Makes {@link VcsProvider}s for one VCS. Found by PF4J in a plugin's {@code META-INF/extensions.idx}; one
 * instance per host. Its {@link #id()} is the {@code vcs:} value of an app in {@code atlas.yaml}.
 */
public interface VcsProviderFactory extends ExtensionPoint {

    /** The stable lowercase VCS id ({@code github}); unique across all loaded plugins. */
    String id();

    /**
     * The key of this VCS's own section inside an app ({@code github} for {@code apps[j].github}). Several ids may
     * share one section name (Bitbucket Cloud and Data Center both read {@code bitbucket}).
     */
    String configSection();

    /**
     * Reads and checks an app's settings, once per app at start and by {@code atlas check}. Does no I/O and opens
     * nothing. Every problem goes to {@code problems} with its full key; when any was recorded the host refuses to
     * start and never calls {@link VcsProvider#open}.
     *
     * @param app the settings common to every VCS, already checked by the host
     * @param section the app's {@link #configSection()} (may be absent: {@code isPresent()} false)
     * @return the provider, not yet opened
     */
    VcsProvider configure(AppSettings app, ConfigSection section, Problems problems);
}
