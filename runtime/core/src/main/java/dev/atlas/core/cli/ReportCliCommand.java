package dev.atlas.core.cli;

import dev.atlas.patcher.ReportCommand;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code atlas report --task-dir DIR --secrets-dir DIR}: the last part of an analysis, autofix or transformer job (no
 * config needed). Exit 0 when the push (transformer) went and every result file was posted to Atlas, 1 otherwise; see
 * {@code runtime/patcher/README.md}.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Push a transformer's changes through Atlas's git endpoint, then post every *.json in "
        + "$ATLAS_RESULTS_DIR to Atlas ($ATLAS_JOB_URL/results) and a summary. Exit 0 when everything went, 1 "
        + "otherwise. Environment: ATLAS_JOB_URL, ATLAS_WORKSPACE (the transformer's work tree is repo/ in it), "
        + "ATLAS_RESULTS_DIR.")
public final class ReportCliCommand implements Callable<Integer> {
    @Option(names = "--task-dir", required = true, paramLabel = "DIR", description = "holds task.json")
    Path taskDir;

    @Option(names = "--secrets-dir", required = true, paramLabel = "DIR",
        description = "holds result-token (and, for a transformer, clone-username and clone-token)")
    Path secretsDir;

    @Override
    public Integer call() {
        return ReportCommand.run(taskDir, secretsDir, System.out, System.err);
    }
}
