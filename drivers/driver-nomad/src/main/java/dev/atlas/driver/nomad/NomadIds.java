package dev.atlas.driver.nomad;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Derives a task's Nomad job id from its task id alone, so status and cancel find the job without any state in
 * Atlas: {@code atlas-<task id>} when the task id is a plain name, else {@code atlas-<cleaned prefix>-<hash>}. The
 * id also names the job's variable ({@code nomad/jobs/<id>}) and the URLs, so it only holds {@code [A-Za-z0-9_.-]}.
 */
final class NomadIds {
    static final String PREFIX = "atlas-";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9_.]{0,62}");
    private static final int KEPT = 40;
    private static final int HASH_CHARS = 16;

    private NomadIds() {
    }

    static String jobId(String taskId) {
        if (PLAIN.matcher(taskId).matches() && !taskId.contains("..")) {
            return PREFIX + taskId;
        }
        String cleaned = taskId.replaceAll("[^-A-Za-z0-9_]", "-");
        if (cleaned.length() > KEPT) {
            cleaned = cleaned.substring(0, KEPT);
        }
        return PREFIX + cleaned + "-" + sha256(taskId).substring(0, HASH_CHARS);
    }

    /** The path of the job's variable: one of the paths a job's tasks may read without any extra ACL policy. */
    static String variablePath(String jobId) {
        return "nomad/jobs/" + jobId;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
