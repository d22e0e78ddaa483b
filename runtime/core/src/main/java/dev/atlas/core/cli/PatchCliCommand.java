package dev.atlas.core.cli;

import dev.atlas.patcher.PatchCommand;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code atlas patch --task-dir DIR --secrets-dir DIR}: the program a patch job runs (no config needed). Exit 0 for
 * {@code committed}/{@code pr_opened}, 1 otherwise; see {@code runtime/patcher/README.md}.
 */
@Command(name = "patch", mixinStandardHelpOptions = true,
    description = "Apply an autofix patch, commit, push and open the pull request; report to the cloud. "
        + "Exit 0 when committed or the PR is opened, 1 otherwise.")
public final class PatchCliCommand implements Callable<Integer> {
    @Option(names = "--task-dir", required = true, paramLabel = "DIR", description = "holds task.json (and patch.diff)")
    Path taskDir;

    @Option(names = "--secrets-dir", required = true, paramLabel = "DIR",
        description = "holds clone-token, result-token (and proxy-token)")
    Path secretsDir;

    @Override
    public Integer call() {
        return PatchCommand.run(taskDir, secretsDir, System.out, System.err);
    }
}
