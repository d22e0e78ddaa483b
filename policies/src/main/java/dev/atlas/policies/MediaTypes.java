package dev.atlas.policies;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses {@code Accept} headers strictly. Every media range the caller lists must be allowed, not just the preferred
 * one: the upstream server, not us, decides which of them it serves.
 */
final class MediaTypes {

    static final String DEFAULT = "application/json";

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$&^_.+*-]+");
    /** Parameters that cannot change the representation; anything else ({@code version=diff}...) is refused. */
    private static final Set<String> HARMLESS_PARAMETERS = Set.of("q", "charset");

    private MediaTypes() {
    }

    /** The {@code type/subtype} of each listed media range, lower-cased; {@link #DEFAULT} when none is listed. */
    static List<String> accepted(List<String> headers) {
        List<String> types = new ArrayList<>();
        if (headers != null) {
            for (String header : headers) {
                if (header == null) {
                    continue;
                }
                if (header.length() > 1024) {
                    throw deny("the Accept header is longer than 1024 characters");
                }
                for (String range : header.split(",", -1)) {
                    if (!range.isBlank()) {
                        types.add(parse(range.trim()));
                    }
                }
            }
        }
        if (types.isEmpty()) {
            types.add(DEFAULT);
        }
        return types;
    }

    /** Canonical form of a media type written in a policy file, or {@code null} if it is not a plain type/subtype. */
    static String canonical(String type) {
        String[] parts = type.trim().split("/", -1);
        if (parts.length != 2 || !TOKEN.matcher(parts[0]).matches() || !TOKEN.matcher(parts[1]).matches()) {
            return null;
        }
        return parts[0].toLowerCase(Locale.ROOT) + "/" + parts[1].toLowerCase(Locale.ROOT);
    }

    private static String parse(String range) {
        String[] parts = range.split(";", -1);
        String type = canonical(parts[0]);
        if (type == null) {
            throw deny("the Accept header lists a malformed media type '" + Texts.clip(parts[0], 80) + "'");
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int eq = parameter.indexOf('=');
            String name = (eq < 0 ? parameter : parameter.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            if (!HARMLESS_PARAMETERS.contains(name) || parameter.indexOf('"') >= 0) {
                throw deny("the Accept parameter '" + Texts.clip(parameter, 40) + "' is not allowed");
            }
        }
        return type;
    }

    private static Denial deny(String reason) {
        return Denial.deny("accept", reason);
    }
}
