package dev.atlas.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version the build stamped into this jar ({@code atlas-version.properties}, filtered by Maven). */
public final class AtlasVersion {
    private static final String VERSION = read();

    private AtlasVersion() {
    }

    /** Like {@code 0.1.0-SNAPSHOT}; {@code dev} only when run from classes the build did not filter. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = AtlasVersion.class.getResourceAsStream("atlas-version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "");
            return version.isBlank() || version.startsWith("${") ? "dev" : version;
        } catch (IOException e) {
            return "dev";
        }
    }
}
