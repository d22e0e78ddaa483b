package dev.atlas.core.cli;

import dev.atlas.core.boot.Assembly;
import dev.atlas.core.boot.Bootstrap;
import dev.atlas.core.config.ConfigException;
import dev.atlas.core.outbox.FileWebhookSpool;
import dev.atlas.core.outbox.WebhookSpool;
import dev.atlas.core.outbox.WebhookSpools;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atlas webhooks list|replay}: inspect the spool and re-deliver dead-lettered webhooks. */
@Command(name = "webhooks", mixinStandardHelpOptions = true, description = "Inspect the webhook spool.",
    subcommands = {WebhooksCommand.List.class, WebhooksCommand.Replay.class})
public final class WebhooksCommand {

    static WebhookSpool spool(Path config, CommandSpec spec) throws ConfigException, IOException {
        try (Assembly assembly = Bootstrap.assemble(config, System::getenv, AtlasCli.home())) {
            return WebhookSpools.openForTools(assembly.config());
        }
    }

    static int configProblems(ConfigException e, CommandSpec spec) {
        return AtlasCli.configProblems(e, spec.commandLine().getErr());
    }

    /** {@code atlas webhooks list --config FILE [--dead]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "List dead-lettered webhooks (--dead), or count those waiting for delivery.")
    static final class List implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE")
        Path config;

        @Option(names = "--dead", description = "list the dead letters")
        boolean dead;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (WebhookSpool spool = spool(config, spec)) {
                java.util.List<WebhookSpool.DeadLetter> letters = spool.deadLetters();
                if (dead) {
                    out.println("ID\tVCS\tAPP\tRECEIVED\tATTEMPTS\tREASON");
                    for (WebhookSpool.DeadLetter d : letters) {
                        out.println(String.join("\t", d.id(), d.vcs(), d.appId(), d.receivedAt().toString(),
                            String.valueOf(d.attempts()), d.reason()));
                    }
                } else {
                    if (spool instanceof FileWebhookSpool file) {
                        file.rescan();
                    }
                    out.println("pending: " + spool.depth());
                    out.println("dead: " + letters.size());
                }
                return AtlasCli.OK;
            } catch (ConfigException e) {
                return configProblems(e, spec);
            }
        }
    }

    /** {@code atlas webhooks replay --config FILE (ID | --all)}. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Move dead-lettered webhooks back to delivery; a running Atlas sends them within seconds.")
    static final class Replay implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE")
        Path config;

        @ArgGroup(multiplicity = "1")
        Target target;

        @Spec
        CommandSpec spec;

        /** One id, or all. */
        static final class Target {
            @Parameters(paramLabel = "ID", description = "the webhook id to replay")
            String id;

            @Option(names = "--all", description = "replay every dead letter")
            boolean all;
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (WebhookSpool spool = spool(config, spec)) {
                java.util.List<String> ids = target.all
                    ? spool.deadLetters().stream().map(WebhookSpool.DeadLetter::id).toList()
                    : java.util.List.of(target.id);
                int replayed = 0;
                for (String id : ids) {
                    if (spool.replay(id, Instant.now())) {
                        replayed++;
                        out.println("replayed " + id);
                    } else {
                        spec.commandLine().getErr().println("no dead letter with id " + id);
                    }
                }
                return replayed == ids.size() ? AtlasCli.OK : AtlasCli.FAILED;
            } catch (ConfigException e) {
                return configProblems(e, spec);
            }
        }
    }
}
