package dev.atlas.core.cli;

import dev.atlas.core.boot.AtlasApplication;
import dev.atlas.core.boot.Assembly;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.boot.Modules;
import dev.atlas.core.config.ConfigException;
import dev.atlas.core.demo.DemoSetup;
import dev.atlas.core.demo.SampleCloud;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code atlas demo}: starts Atlas with a generated config (local driver, file spool, generated keys, an in-process
 * sample cloud), prints its URLs and serves until Ctrl-C. The local driver's sandbox needs {@code bwrap}: on a machine
 * without it the config allows running unsandboxed ({@code tasks.local.unsandboxed: true}) and the demo says so.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start Atlas with a generated config and an in-process sample cloud; serve until Ctrl-C.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default ${DEFAULT-VALUE}; 0: a free one)")
    int port;

    @Option(names = "--dir", defaultValue = "atlas-demo",
        description = "folder for the generated config, secrets, spool and keys (default ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--exit-after-samples", hidden = true, description = "stop after the samples (for tests)")
    boolean exitAfterSamples;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (SampleCloud cloud = SampleCloud.start()) {
            boolean sandbox = DemoSetup.bwrapInstalled();
            // --port 0: a free port chosen now, so that the config's publicUrl (where jobs post results) names it
            Path config = DemoSetup.write(dir.toAbsolutePath(), port == 0 ? freePort() : port, cloud.url(), !sandbox);
            Assembly assembly;
            try {
                assembly = Bootstrap.assemble(config, System::getenv, AtlasCli.home());
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("the generated demo config is invalid:");
                e.problems().forEach(p -> spec.commandLine().getErr().println("  " + p));
                return AtlasCli.FAILED;
            }
            AtlasApplication app = AtlasApplication.start(assembly, Clock.systemUTC(), Modules.all());
            StopSignals.install(app::stop);
            String base = "http://127.0.0.1:" + app.port();
            out.println("Atlas demo is running (config: " + config + ")");
            out.println("  sample cloud      " + cloud.url());
            out.println("  health            " + base + "/health/ready");
            out.println("  metrics           " + base + "/metrics");
            out.println("  webhooks          " + base + "/webhook/github/demo-github");
            out.println("  VCS API proxy     " + base + "/vcs/graphql, " + base + "/vcs/rest/...");
            out.println("  tasks             " + base + "/api/tasks/{taskId}");
            out.println("  OpenID discovery  " + base + "/.well-known/openid-configuration");
            if (sandbox) {
                out.println("Tasks run in the bubblewrap sandbox (no network, only the task's folders).");
            } else {
                out.println("WARNING: bwrap (package bubblewrap) is not installed, so the demo config sets "
                    + "tasks.local.unsandboxed: true and the task's own commands run UNSANDBOXED as your user. "
                    + "Install bubblewrap (apt-get install bubblewrap) to run them in the sandbox.");
            }
            DemoSamples.run(app, dir.toAbsolutePath(), base, cloud, out);
            if (exitAfterSamples) {
                app.stop();
            } else {
                out.println("Press Ctrl-C to stop.");
            }
            app.awaitStop();
            return AtlasCli.OK;
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
