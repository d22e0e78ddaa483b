package dev.atlas.tasks.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code git} command line as a job's clone and report steps run it: isolated from the machine's git config,
 * never prompting, its credentials from a file through a credential helper (as {@code JobBuilder}'s clone script).
 */
final class GitCli {
    /** How a git command ended. */
    record Run(int exit, String out, String err) {
        Run ok() {
            if (exit != 0) {
                throw new AssertionError("git failed (" + exit + "): " + err);
            }
            return this;
        }
    }

    private final Path home;

    GitCli(Path home) {
        this.home = home;
    }

    /** Runs {@code git args} in {@code dir}. */
    Run run(Path dir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("HOME", home.toString());
        environment.put("XDG_CONFIG_HOME", home.toString());
        environment.put("GIT_CONFIG_NOSYSTEM", "1");
        environment.put("GIT_TERMINAL_PROMPT", "0");
        environment.put("GIT_AUTHOR_NAME", "Job");
        environment.put("GIT_AUTHOR_EMAIL", "job@example.com");
        environment.put("GIT_COMMITTER_NAME", "Job");
        environment.put("GIT_COMMITTER_EMAIL", "job@example.com");
        environment.put("LC_ALL", "C");
        environment.putAll(env);
        try {
            Path out = Files.createTempFile(home, "out", ".txt");
            Path err = Files.createTempFile(home, "err", ".txt");
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("git " + String.join(" ", args) + " did not finish");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Run run(Path dir, String... args) {
        return run(dir, Map.of(), args);
    }

    /** Runs {@code git args} authenticating with the token in {@code tokenFile} (user name {@code atlas}). */
    Run withToken(Path dir, Path tokenFile, Map<String, String> env, String... args) {
        String helper = "!f() { test \"$1\" = get || exit 0; printf 'username=atlas\\npassword=%s\\n' \"$(cat '"
            + tokenFile + "')\"; }; f";
        List<String> all = new ArrayList<>(List.of("-c", "credential.helper=", "-c", "credential.helper=" + helper,
            "-c", "http.followRedirects=false"));
        all.addAll(List.of(args));
        return run(dir, env, all.toArray(String[]::new));
    }

    Run withToken(Path dir, Path tokenFile, String... args) {
        return withToken(dir, tokenFile, Map.of(), args);
    }
}
