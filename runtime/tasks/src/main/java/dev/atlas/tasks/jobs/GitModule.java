package dev.atlas.tasks.jobs;

import dev.atlas.core.boot.ApplicationModule;
import dev.atlas.core.boot.ModuleContext;
import dev.atlas.core.config.AtlasConfig;
import dev.atlas.core.tokens.TaskTokens;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atlas's git endpoint for jobs (SPEC §6): binds {@code jobsGit} for the route of {@code jobs-git.camel.yaml}, and
 * {@code jobsGitSweep} for its hourly clean-up. The task mirrors live under {@code <dataDir>/jobs/git}; those
 * untouched for longer than a task can live (the longest time limit plus an hour) are removed at start and then
 * hourly.
 */
public final class GitModule implements ApplicationModule {
    private static final Logger LOG = LoggerFactory.getLogger(GitModule.class);
    /** How long Atlas waits for the VCS during one fetch or push. */
    static final Duration UPSTREAM_TIMEOUT = Duration.ofMinutes(5);

    @Override
    public void configure(ModuleContext context) {
        AtlasConfig config = context.assembly().config();
        AtlasConfig.Tasks tasks = config.tasks();
        GitMirror mirrors = new GitMirror(config.dataDir().resolve("jobs").resolve("git"), context.clock());
        Duration maxAge = tasks.timeLimit().plus(Duration.ofHours(1));
        Runnable sweep = () -> {
            int removed = mirrors.sweep(maxAge);
            if (removed > 0) {
                LOG.info("removed {} task git mirrors untouched for {}", removed, maxAge);
            }
        };
        sweep.run();
        context.bind("jobsGitSweep", (org.apache.camel.Processor) exchange -> sweep.run());
        long maxBody = config.server().maxBodyBytes();
        GitRelay relay = new GitRelay(mirrors, new GitUpstream(UPSTREAM_TIMEOUT,
            context.outbound().gitConnections().install()), new GitSmartHttp(maxBody),
            new GitPushRules(tasks.push().branchPrefix(), tasks.push().allowPaths()), context.clock());
        context.bind("jobsGit", new GitEndpoint(TaskTokens.on(context.signingKeys(), config, context.clock()),
            context.assembly().providers(), relay, context.metrics(), maxBody));
    }

    @Override
    public java.util.Set<String> steps() {
        return java.util.Set.of("jobsGit", "jobsGitSweep");
    }

    @Override
    public String id() {
        return "git";
    }

    @Override
    public int order() {
        return 50;
    }
}
