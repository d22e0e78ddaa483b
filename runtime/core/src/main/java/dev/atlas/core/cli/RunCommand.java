package dev.atlas.core.cli;

import dev.atlas.core.boot.AtlasApplication;
import dev.atlas.core.boot.Assembly;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.boot.Modules;
import dev.atlas.core.config.ConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atlas run --config FILE}: starts the gateway and serves until SIGTERM or SIGINT (then exits 0). */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Start the gateway. Stops gracefully on SIGTERM or SIGINT and exits 0.")
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the atlas.yaml to run")
    Path config;

    @Spec
    CommandSpec spec;

    /** Where configuration problems are printed when started without picocli ({@link AtlasCli#plainRun}). */
    java.io.PrintWriter err;

    @Override
    public Integer call() throws Exception {
        Assembly assembly;
        try {
            assembly = Bootstrap.assemble(config, System::getenv, AtlasCli.home());
        } catch (ConfigException e) {
            return AtlasCli.configProblems(e, spec != null ? spec.commandLine().getErr() : err);
        }
        AtlasApplication app = AtlasApplication.start(assembly, Clock.systemUTC(), Modules.all());
        StopSignals.install(app::stop);
        app.awaitStop();
        return AtlasCli.OK;
    }
}
