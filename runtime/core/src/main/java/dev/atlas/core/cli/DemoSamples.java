package dev.atlas.core.cli;

import dev.atlas.core.boot.AtlasApplication;
import dev.atlas.core.demo.SampleCloud;
import java.io.PrintWriter;
import java.nio.file.Path;

/** The sample flows {@code atlas demo} sends through Atlas once it is up. */
final class DemoSamples {
    private DemoSamples() {
    }

    static void run(AtlasApplication app, Path dir, String base, SampleCloud cloud, PrintWriter out) throws Exception {
        dev.atlas.core.demo.DemoWebhookSample.run(dir, base, cloud, out);
    }
}
