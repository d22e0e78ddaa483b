package dev.atlas.core.cli;

import dev.atlas.core.keys.KeysCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code atlas} launcher. Exit codes: 0 clean stop (also after SIGTERM or SIGINT), 2 bad config or usage, 1
 * anything else.
 */
@Command(name = "atlas", mixinStandardHelpOptions = true, versionProvider = AtlasCli.Version.class,
    description = "Atlas, the on-premise Enterprise Runner: webhook relay, VCS API proxy, job orchestrator and "
        + "identity provider.",
    subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, WebhooksCommand.class,
        PolicyCommand.class, PatchCliCommand.class, ReportCliCommand.class, KeysCommand.class, CommandLine.HelpCommand.class})
public final class AtlasCli implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        // before any HTTP class loads (the JDK reads it once): lets the egress proxy's Basic challenge on a CONNECT
        // tunnel be answered; only the configured proxy is ever answered (see OutboundNetwork)
        System.setProperty("jdk.http.auth.tunneling.disabledSchemes", "");
        JobTrust.install(System.getenv("ATLAS_CA_FILE"));
        if (quietByDefault(args)) {
            // tools and the demo print their results for a person; log lines would only be noise
            System.setProperty("atlas.log.level", System.getProperty("atlas.log.level", "WARN"));
            System.setProperty("atlas.log.target", "System.err");
        }
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * True for the commands a person reads (check, demo, policy, webhooks, keys): their log lines default to WARN on
     * stderr. {@code run} and the job programs ({@code patch}, {@code report}) keep INFO: a job's progress lines are
     * its log.
     */
    static boolean quietByDefault(String[] args) {
        return args.length > 0 && !java.util.Set.of("run", "patch", "report").contains(args[0]);
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        java.util.Optional<Path> runConfig = plainRun(args);
        if (runConfig.isPresent()) {
            RunCommand run = new RunCommand();
            run.config = runConfig.get();
            run.err = err;
            try {
                return run.call();
            } catch (Exception e) {
                return failed(e, err);
            }
        }
        CommandLine cli = new CommandLine(new AtlasCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> FAILED);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("atlas: " + e.getMessage());
            e.getCommandLine().usage(err);
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> failed(e, err));
        return cli.execute(args);
    }

    /**
     * The config file of {@code atlas run --config FILE} (or {@code --config=FILE}) exactly, the form every deployment
     * starts Atlas with: that start skips picocli. Its classes are Java 5 class files, which the distribution's
     * class-data-sharing archive cannot hold, so loading, verifying and modelling them cost every start 0.3–0.4 s on
     * a 2-core test machine (bench/README.md). Any other form (help, more options, a value that looks like an option)
     * is empty and goes through picocli, with its usage and errors.
     */
    static java.util.Optional<Path> plainRun(String[] args) {
        String file = null;
        if (args.length == 3 && args[0].equals("run") && args[1].equals("--config")) {
            file = args[2];
        } else if (args.length == 2 && args[0].equals("run") && args[1].startsWith("--config=")) {
            file = args[1].substring("--config=".length());
        }
        if (file == null || file.isEmpty() || file.startsWith("-")) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Path.of(file));
        } catch (java.nio.file.InvalidPathException e) {
            return java.util.Optional.empty(); // picocli names the bad value
        }
    }

    /** A command that threw: its message on {@code err} (and the stack trace with -Datlas.debug=true), exit 1. */
    private static int failed(Exception e, PrintWriter err) {
        err.println("atlas: " + reasons(e));
        if (Boolean.getBoolean("atlas.debug")) {
            e.printStackTrace(err);
        }
        return FAILED;
    }

    /**
     * The failure and what caused it, outermost first, each message once ("cannot configure WebhookModule: the spool
     * folder is in use by another Atlas"): the outer message alone rarely says what to fix.
     */
    static String reasons(Throwable e) {
        StringBuilder out = new StringBuilder();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
            if (out.indexOf(message) < 0) { // a wrapper often repeats its cause's message
                out.append(out.length() == 0 ? "" : ": ").append(message);
            }
        }
        return out.toString();
    }

    /** Prints every configuration problem, one a line, and returns the exit code for a bad config (2). */
    public static int configProblems(dev.atlas.core.config.ConfigException e, PrintWriter err) {
        err.println("invalid configuration (" + e.problems().size() + " problem"
            + (e.problems().size() == 1 ? "" : "s") + "):");
        e.problems().forEach(p -> err.println("  " + p));
        return USAGE;
    }

    /** The distribution folder: {@code -Datlas.home} set by {@code bin/atlas}, else the working folder. */
    public static Path home() {
        String home = System.getProperty("atlas.home", System.getenv("ATLAS_HOME"));
        return Path.of(home == null || home.isBlank() ? "." : home).toAbsolutePath().normalize();
    }

    /** The version the build stamped into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"atlas " + dev.atlas.core.AtlasVersion.get()};
        }
    }
}
