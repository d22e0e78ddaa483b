package dev.atlas.core.cli;

import dev.atlas.core.boot.Assembly;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code atlas check --config FILE}: validates config, plugins, policies and routes; lists every problem. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Validate the config, plugins, policies and routes. Exit 0 when valid, 2 listing every problem.")
public final class CheckCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the atlas.yaml to check")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Assembly assembly = Bootstrap.assemble(config, System::getenv, AtlasCli.home())) {
            spec.commandLine().getOut().printf("ok: %d app(s) %s, driver %s, plugins %s%n",
                assembly.providers().size(), assembly.providers().keySet(), assembly.config().tasks().driver(),
                assembly.plugins().pluginIds());
            return AtlasCli.OK;
        } catch (ConfigException e) {
            return AtlasCli.configProblems(e, spec.commandLine().getErr());
        }
    }
}
