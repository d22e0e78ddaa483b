package dev.atlas.patcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The secret files the driver mounted for this job. {@link #toString()} never shows a value, so a record printed
 * by accident (a log line, a failed assertion) cannot leak one.
 *
 * @param cloneUser   user name sent with the clone token; from {@code clone-username} (Atlas always writes it),
 *     else {@value #DEFAULT_CLONE_USER} (Atlas's git endpoint ignores the user name)
 * @param proxyToken  task-scoped token for the pull-request call through Atlas's proxy; null when absent
 */
public record Secrets(String cloneToken, String cloneUser, String resultToken, String proxyToken) {

    static final String CLONE_TOKEN = "clone-token";
    static final String CLONE_USERNAME = "clone-username";
    static final String RESULT_TOKEN = "result-token";
    static final String PROXY_TOKEN = "proxy-token";
    static final String DEFAULT_CLONE_USER = "x-access-token";

    /** Reads the result token alone: needed to report even when the rest of the task is unusable. */
    static String readResultToken(Path secretsDir) throws PatchFailure {
        return required(secretsDir, RESULT_TOKEN);
    }

    /** Reads every secret this task needs; a missing one is an {@code error} naming the file. */
    static Secrets read(Path secretsDir, PatchTask task) throws PatchFailure {
        String cloneToken = required(secretsDir, CLONE_TOKEN);
        String user = optional(secretsDir, CLONE_USERNAME);
        String resultToken = required(secretsDir, RESULT_TOKEN);
        String proxyToken = task.pullRequest() == null ? optional(secretsDir, PROXY_TOKEN) : required(secretsDir, PROXY_TOKEN);
        return new Secrets(cloneToken, user == null ? DEFAULT_CLONE_USER : user, resultToken, proxyToken);
    }

    /** A redactor that knows every value held here. */
    Redactor redactor() {
        return new Redactor().add(cloneToken, cloneUser).add(resultToken).add(proxyToken);
    }

    private static String required(Path dir, String name) throws PatchFailure {
        String value = optional(dir, name);
        if (value == null) {
            throw PatchFailure.invalidField("secrets/" + name, "missing or empty");
        }
        return value;
    }

    private static String optional(Path dir, String name) throws PatchFailure {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            return value.isEmpty() ? null : value;
        } catch (IOException e) {
            throw PatchFailure.invalidField("secrets/" + name, "unreadable");
        }
    }

    @Override
    public String toString() {
        return "Secrets[cloneUser=" + cloneUser + ", values redacted]";
    }
}
