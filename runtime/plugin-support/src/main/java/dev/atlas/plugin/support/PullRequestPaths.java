package dev.atlas.plugin.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Helpers for building a pull request call ({@code PullRequests} of the plugin API): the repository path's segments, each checked to
 * be plain enough to put into a REST path unescaped, and a JSON object for the body.
 */
public final class PullRequestPaths {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private PullRequestPaths() {
    }

    /**
     * The segments of {@code repositoryPath} ({@code owner/repo}, {@code group/sub/project}), at least two.
     *
     * @throws IllegalArgumentException when a segment is empty, {@code .}, {@code ..} or holds a
     *     character outside {@code [A-Za-z0-9._~-]}: such a path cannot name a pull request call
     */
    public static List<String> segments(String repositoryPath) {
        List<String> segments = List.of(repositoryPath.split("/", -1));
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("the repository path cannot name a pull request");
            }
        }
        if (segments.size() < 2) {
            throw new IllegalArgumentException("the repository path has no owner and name");
        }
        return segments;
    }

    /** The last two segments joined by {@code /} ({@code owner/repo}). */
    public static String lastTwo(List<String> segments) {
        return segments.get(segments.size() - 2) + "/" + segments.get(segments.size() - 1);
    }

    /** A fresh JSON object for a request body. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
