package dev.atlas.core.keys;

import dev.atlas.core.boot.Assembly;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.cli.AtlasCli;
import dev.atlas.core.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code atlas keys rotate|list --config FILE}: manages the signing keys in {@code auth.signingKeys}. Prints key ids
 * only, never key material.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage the identity provider's signing keys.",
    subcommands = {KeysCommand.Rotate.class, KeysCommand.ListKeys.class})
public final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a keys command is required");
    }

    /** The key folder a config names. */
    private static Path folder(Path config) throws ConfigException {
        try (Assembly assembly = Bootstrap.assemble(config, System::getenv, AtlasCli.home())) {
            return assembly.config().auth().signingKeys();
        }
    }

    private static int badConfig(ConfigException e, PrintWriter err) {
        return AtlasCli.configProblems(e, err);
    }

    /** {@code atlas keys rotate}: adds a signing key; the old ones stay published. */
    @Command(name = "rotate", mixinStandardHelpOptions = true,
        description = "Add a new signing key to auth.signingKeys. It signs from the next start (running replicas pick "
            + "it up within 30 s); older keys stay published and keep verifying until their files are deleted.")
    static final class Rotate implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "the atlas.yaml")
        Path config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Path folder;
            try {
                folder = folder(config);
            } catch (ConfigException e) {
                return badConfig(e, spec.commandLine().getErr());
            }
            String kid = SigningKeys.rotate(folder, Clock.systemUTC());
            // the sealing key is created too, so that a folder prepared here can be mounted read-only
            SealedTokens.open(folder, Clock.systemUTC());
            SigningKeys keys = SigningKeys.read(folder, Clock.systemUTC());
            PrintWriter out = spec.commandLine().getOut();
            out.println("added signing key " + kid + " in " + folder);
            out.println("published keys (newest first, the first signs): " + String.join(", ", keys.keyIds()));
            return AtlasCli.OK;
        }
    }

    /** {@code atlas keys list}: the published key ids, newest (signing) first. */
    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the signing key ids in auth.signingKeys, newest (the one that signs) first.")
    static final class ListKeys implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "the atlas.yaml")
        Path config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Path folder;
            try {
                folder = folder(config);
            } catch (ConfigException e) {
                return badConfig(e, spec.commandLine().getErr());
            }
            SigningKeys.read(folder, Clock.systemUTC()).keyIds().forEach(spec.commandLine().getOut()::println);
            return AtlasCli.OK;
        }
    }
}
