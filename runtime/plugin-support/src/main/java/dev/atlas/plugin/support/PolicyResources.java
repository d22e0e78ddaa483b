package dev.atlas.plugin.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the built-in policy files packed in the plugin ({@code atlas/policy/*}) through the plugin's own class
 * loader: under PF4J the thread context loader is the host's, which cannot see plugin resources. Called when a
 * provider is configured; reads from the plugin's own jar, so it blocks only on local file I/O.
 */
public final class PolicyResources {
    private PolicyResources() {
    }

    /**
     * The resource's text (UTF-8), if {@code loader} sees it; empty if it does not.
     *
     * @throws UncheckedIOException when the resource exists but cannot be read
     */
    public static Optional<String> read(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read built-in policy " + name, e);
        }
    }

    /**
     * The resource's text; a plugin built without it is broken, so this fails loudly rather than running with no
     * built-in policy.
     *
     * @throws IllegalStateException when {@code loader} does not see the resource
     * @throws UncheckedIOException when the resource exists but cannot be read
     */
    public static String require(ClassLoader loader, String name) {
        return read(loader, name).orElseThrow(() -> new IllegalStateException(
            "built-in policy resource " + name + " is missing from the plugin"));
    }
}
