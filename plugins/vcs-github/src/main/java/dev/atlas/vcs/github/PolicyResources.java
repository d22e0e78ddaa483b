package dev.atlas.vcs.github;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the built-in policy files packed in the plugin ({@code atlas/policy/*}) through the plugin's own class
 * loader: under PF4J the thread context loader is the host's, which cannot see plugin resources.
 */
final class PolicyResources {
    private PolicyResources() {
    }

    /** The resource's text, if {@code loader} sees it. */
    static Optional<String> read(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read built-in policy " + name, e);
        }
    }

    /**
     * The resource's text; a plugin built without it is broken, so this fails loudly rather than running with no
     * built-in policy.
     */
    static String require(ClassLoader loader, String name) {
        return read(loader, name).orElseThrow(() -> new IllegalStateException(
            "built-in policy resource " + name + " is missing from the plugin"));
    }
}
