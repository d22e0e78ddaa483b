package dev.atlas.api.driver;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import org.pf4j.ExtensionPoint;

/**
 * Makes the {@link Driver} that runs task jobs. Its {@link #id()} is the {@code tasks.driver} value; its settings
 * are the section of the same name ({@code tasks.kubernetes}).
 */
public interface DriverFactory extends ExtensionPoint {

    /** The stable lowercase driver id ({@code kubernetes}, {@code nomad}, {@code local}). */
    String id();

    /**
     * Reads and checks the driver's settings, at start and by {@code atlas check}. Does no I/O. Problems go to
     * {@code problems} with their full key.
     *
     * @param section {@code tasks.<id>} (may be absent)
     */
    Driver configure(ConfigSection section, Problems problems);
}
