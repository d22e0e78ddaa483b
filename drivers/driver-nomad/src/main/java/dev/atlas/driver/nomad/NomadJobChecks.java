package dev.atlas.driver.nomad;

import dev.atlas.api.driver.ContainerSpec;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.JobSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** What a job spec must be for the Nomad driver: checked before any call, so a refusal leaves nothing behind. */
final class NomadJobChecks {
    static final int MIN_TOKEN_CHARS = 16;
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][-._A-Za-z0-9]{0,127}");

    private NomadJobChecks() {
    }

    /** Refuses ({@code REJECTED}) a spec Nomad could not run as the job contract says, naming every problem. */
    static void validate(JobSpec spec, NomadSettings settings) throws DriverException {
        List<String> problems = new ArrayList<>();
        List<ContainerSpec> steps = new ArrayList<>(spec.initContainers());
        steps.add(spec.main());
        problems.addAll(lifecycleProblems(spec));
        problems.addAll(secretsOutsideFiles(spec, steps));
        Set<String> names = new HashSet<>();
        for (ContainerSpec step : steps) {
            if (step == null || step.name() == null || !NAME.matcher(step.name()).matches()) {
                problems.add("step names must be DNS-1123 labels");
            } else if (!names.add(step.name())) {
                problems.add("step names must be unique");
            } else if (step.command() == null || step.command().isEmpty()) {
                problems.add("step " + step.name() + " has no command");
            } else if (settings.runsImages() && (step.image() == null || step.image().isBlank())) {
                problems.add("step " + step.name() + " has no image");
            }
            if (step != null && step.resources() != null) {
                try {
                    NomadResources.cpuMhz(step.resources().cpu());
                    NomadResources.memoryMb(step.resources().memory());
                } catch (IllegalArgumentException | ArithmeticException e) {
                    problems.add("step " + step.name() + " has resources Nomad cannot take");
                }
            }
        }
        Set<String> itemKeys = new HashSet<>();
        for (String name : spec.secretFiles().keySet()) {
            if (!FILE_NAME.matcher(name).matches() || !itemKeys.add(NomadJobs.itemKey(name))) {
                problems.add("secret file names must be plain names, distinct after '-' and '.' become '_'");
            }
        }
        spec.taskFiles().keySet().stream().filter(n -> !FILE_NAME.matcher(n).matches()).findFirst()
            .ifPresent(n -> problems.add("task file names must be plain names"));
        if (spec.timeLimit() == null || spec.timeLimit().isNegative() || spec.timeLimit().isZero()) {
            problems.add("time limit must be positive");
        }
        if (!problems.isEmpty()) {
            throw new DriverException(DriverException.Kind.REJECTED, String.join("; ", problems));
        }
    }

    /**
     * Nomad orders the tasks of a group only by lifecycle hook, and starts the tasks of one hook together. So a job
     * is at most: one of Atlas's steps before ({@code clone}, prestart), one of the task's own containers (main),
     * then Atlas's main step ({@code report}, poststop). More analyzers than one would run at once: refused.
     */
    private static List<String> lifecycleProblems(JobSpec spec) {
        List<String> problems = new ArrayList<>();
        int before = 0;
        int own = 0;
        for (ContainerSpec init : spec.initContainers()) {
            if (init == null) {
                continue;
            }
            if (init.seesSecrets()) {
                before++;
                if (own > 0) {
                    problems.add("an Atlas step after the task's own container cannot be ordered on Nomad");
                }
            } else {
                own++;
            }
        }
        if (spec.main() != null && !spec.main().seesSecrets()) {
            own++;
        }
        if (before > 1) {
            problems.add("the Nomad driver runs at most one Atlas step before the task's own container");
        }
        if (own > 1) {
            problems.add("the Nomad driver runs one container of the task's own (Nomad would start " + own
                + " at once)");
        }
        return problems;
    }

    /**
     * Secrets are files: a token in a command or an env value would sit in the job, readable by anyone who can read
     * it and, for the task's own container, by the cloud's code. Names the step, never the value. Values shorter
     * than {@value #MIN_TOKEN_CHARS} characters are not tokens (the git user name {@code atlas} is a secret file
     * too, and is in every {@code atlas report} command).
     */
    static List<String> secretsOutsideFiles(JobSpec spec, List<ContainerSpec> steps) {
        List<String> problems = new ArrayList<>();
        List<String> tokens = spec.secretFiles().values().stream().map(s -> s.reveal().strip())
            .filter(v -> v.length() >= MIN_TOKEN_CHARS).toList();
        for (ContainerSpec step : steps) {
            if (step == null) {
                continue;
            }
            List<String> visible = new ArrayList<>(step.command() == null ? List.of() : step.command());
            if (step.env() != null) {
                visible.addAll(step.env().values());
            }
            if (tokens.stream().anyMatch(t -> visible.stream().anyMatch(v -> v != null && v.contains(t)))) {
                problems.add("step " + step.name() + " carries a secret in its command or env (secrets are files)");
            }
        }
        return problems;
    }
}
