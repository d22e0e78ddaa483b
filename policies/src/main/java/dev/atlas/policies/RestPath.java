package dev.atlas.policies;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalisation of a still-percent-encoded request path before it is matched. Nothing is rewritten: a path that is
 * not already in the one plain form the templates can match is denied, so the path that was checked is the path
 * that is forwarded, and no upstream decoding step can turn it into another one.
 *
 * <p>Paths in every built-in policy consist of {@code [A-Za-z0-9._-]} segments, so a percent sign is never
 * needed; each encoding still gets its own reason, because the reason is what an operator reads in the audit log.
 */
final class RestPath {

    static final String RULE = "path-normalisation";

    private RestPath() {
    }

    /** The path's segments, or a {@link Denial} naming what is wrong with it. */
    static List<String> segments(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            throw deny("the path is empty");
        }
        if (rawPath.length() > 2048) {
            throw deny("the path is longer than 2048 characters");
        }
        if (rawPath.charAt(0) != '/') {
            throw deny(rawPath.contains("://") || rawPath.contains(":")
                ? "an absolute URL is not allowed as a path" : "the path must start with /");
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                throw deny(encodingReason(rawPath, i));
            }
            if (c == '\\') {
                throw deny("a backslash is not allowed in the path");
            }
            if (c < 0x20 || c == 0x7f) {
                throw deny("a control character is not allowed in the path");
            }
            if (c == ';') {
                throw deny("path parameters (;) are not allowed");
            }
            if (!plain(c)) {
                throw deny("the character '" + (c < 0x80 ? String.valueOf(c) : "non-ASCII") + "' is not allowed in the path");
            }
        }
        List<String> segments = new ArrayList<>();
        int start = 1;
        while (true) {
            int end = rawPath.indexOf('/', start);
            String segment = end < 0 ? rawPath.substring(start) : rawPath.substring(start, end);
            if (segment.isEmpty()) {
                throw deny(start == 1 && rawPath.startsWith("//")
                    ? "a network-path reference (//host) is not allowed" : "empty path segments (// or a trailing /) are not allowed");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw deny("dot segments (. and ..) are not allowed in the path");
            }
            segments.add(segment);
            if (end < 0) {
                return segments;
            }
            start = end + 1;
        }
    }

    private static boolean plain(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '/' || c == '.' || c == '-' || c == '_' || c == '~';
    }

    private static String encodingReason(String path, int i) {
        if (i + 2 >= path.length() || hex(path.charAt(i + 1)) < 0 || hex(path.charAt(i + 2)) < 0) {
            return "a malformed percent-encoding is not allowed in the path";
        }
        int value = hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2));
        switch (value) {
            case '.':
                return "an encoded dot (%2e) is not allowed in the path";
            case '/':
                return "an encoded slash (%2f) is not allowed in the path";
            case '\\':
                return "an encoded backslash (%5c) is not allowed in the path";
            case '%':
                return "double percent-encoding (%25) is not allowed in the path";
            default:
                if (value < 0x20 || value == 0x7f) {
                    return "an encoded control character is not allowed in the path";
                }
                return "percent-encoded characters are not allowed in the path";
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static Denial deny(String reason) {
        return Denial.deny(RULE, reason);
    }
}
