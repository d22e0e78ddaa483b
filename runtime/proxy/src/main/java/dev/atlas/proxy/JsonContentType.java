package dev.atlas.proxy;

import dev.atlas.core.http.AtlasException;
import dev.atlas.core.http.ErrorKind;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Content-Type} a {@code POST /vcs/graphql} must carry, read by RFC 9110's grammar (media-type = type "/"
 * subtype *( OWS ";" OWS parameter ), a parameter's value a token or a quoted string): {@code application/json} in
 * any case, with at most a {@code charset} of {@code utf-8} — the only encoding the body is read in. Anything else,
 * a second header or a value the grammar does not produce is 415: the body would be read as something the caller
 * did not mean.
 */
final class JsonContentType {
    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final String QUOTED = "\"(?:[\\t \\x21\\x23-\\x5B\\x5D-\\x7E]|\\\\[\\t \\x21-\\x7E])*\"";
    private static final Pattern MEDIA_TYPE = Pattern.compile("(" + TOKEN + ")/(" + TOKEN + ")((?:[ \\t]*;[ \\t]*"
        + TOKEN + "=(?:" + TOKEN + "|" + QUOTED + "))*)");
    private static final Pattern PARAMETER = Pattern.compile("[ \\t]*;[ \\t]*(" + TOKEN + ")=(" + TOKEN + "|" + QUOTED
        + ")");

    private JsonContentType() {
    }

    /** Throws a 415 {@link AtlasException} unless {@code values} (every Content-Type header) is one JSON type. */
    static void require(List<String> values) {
        if (values.size() != 1 || !isJson(values.get(0).strip())) {
            throw new AtlasException(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
                "POST /vcs/graphql takes Content-Type: application/json (charset utf-8 at most)");
        }
    }

    static boolean isJson(String value) {
        Matcher m = MEDIA_TYPE.matcher(value);
        if (!m.matches() || !m.group(1).equalsIgnoreCase("application") || !m.group(2).equalsIgnoreCase("json")) {
            return false;
        }
        Matcher parameter = PARAMETER.matcher(m.group(3));
        boolean charset = false;
        while (parameter.find()) {
            String name = parameter.group(1).toLowerCase(Locale.ROOT);
            String raw = parameter.group(2);
            String unquoted = raw.startsWith("\"") ? raw.substring(1, raw.length() - 1) : raw;
            if (!name.equals("charset") || charset || !unquoted.equalsIgnoreCase("utf-8")) {
                return false;
            }
            charset = true;
        }
        return true;
    }
}
