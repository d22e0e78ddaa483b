package dev.atlas.policies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses {@code Accept} headers strictly after RFC 9110 (sections 5.6 and 12.5.1): a comma-separated list of media
 * ranges, each {@code type/subtype} with {@code ;name=value} parameters (a value is a token or a quoted string, in
 * which a comma does not separate ranges) and an optional weight {@code ;q=} that must be last. Every media range
 * the caller lists must be allowed, not just the preferred one: the upstream server, not us, decides which of them
 * it serves. The header forwarded upstream is re-written from the parsed ranges ({@link #header}), so nothing Atlas
 * did not parse reaches the VCS.
 */
final class MediaTypes {

    static final String DEFAULT = "application/json";
    static final String RULE = "accept";
    private static final int MAX_HEADER = 1024;
    private static final int MAX_RANGES = 32;
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
    private static final Pattern QVALUE = Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");

    /**
     * One media range: lower-cased {@code type/subtype}, parameters (names lower-cased, {@code charset} values
     * lower-cased too) and the weight as written, or {@code null}.
     *
     * @param quoted whether a parameter value was written as a quoted string
     */
    record MediaRange(String type, Map<String, String> parameters, String weight, boolean quoted) {

        /** The range as Atlas writes it: {@code type/subtype;name=value;q=weight}. */
        String text() {
            StringBuilder out = new StringBuilder(type);
            parameters.forEach((name, value) -> out.append(';').append(name).append('=').append(value));
            if (weight != null) {
                out.append(";q=").append(weight);
            }
            return out.toString();
        }

        /** Whether this range of a request is allowed by {@code entry} of a rule: same type, its parameters listed. */
        boolean allowedBy(MediaRange entry) {
            if (!type.equals(entry.type)) {
                return false;
            }
            for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                if (!parameter.getValue().equals(entry.parameters.get(parameter.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    private MediaTypes() {
    }

    /** Every media range of every {@code Accept} header; {@link #DEFAULT} when none is listed. */
    static List<MediaRange> accepted(List<String> headers) {
        List<MediaRange> ranges = new ArrayList<>();
        if (headers != null) {
            for (String header : headers) {
                if (header == null) {
                    continue;
                }
                if (header.length() > MAX_HEADER) {
                    throw deny("the Accept header is longer than " + MAX_HEADER + " characters");
                }
                new Reader(header).ranges(ranges);
                if (ranges.size() > MAX_RANGES) {
                    throw deny("the Accept headers list more than " + MAX_RANGES + " media ranges");
                }
            }
        }
        if (ranges.isEmpty()) {
            ranges.add(new MediaRange(DEFAULT, Map.of(), null, false));
        }
        return ranges;
    }

    /** The {@code Accept} header Atlas forwards for the ranges it checked. */
    static String header(List<MediaRange> ranges) {
        List<String> texts = new ArrayList<>();
        ranges.forEach(r -> texts.add(r.text()));
        return String.join(", ", texts);
    }

    /**
     * A media type written in a policy file ({@code application/json}, {@code application/json; charset=utf-8}), or
     * {@code null} if it is not one: no weight, no quoted values, no list.
     */
    static MediaRange entry(String text) {
        List<MediaRange> ranges = new ArrayList<>();
        try {
            new Reader(text).ranges(ranges);
        } catch (Denial e) {
            return null;
        }
        if (ranges.size() != 1 || ranges.get(0).weight() != null || ranges.get(0).quoted()) {
            return null;
        }
        return ranges.get(0);
    }

    private static Denial deny(String reason) {
        return Denial.deny(RULE, reason);
    }

    /** RFC 9110 {@code tchar}. */
    private static boolean tchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || TCHAR_SYMBOLS.indexOf(c) >= 0;
    }

    /** A cursor over one header value. */
    private static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        void ranges(List<MediaRange> out) {
            while (true) {
                skipSpace();
                if (at >= text.length()) {
                    return;
                }
                if (text.charAt(at) == ',') { // empty list elements are allowed (RFC 9110 5.6.1)
                    at++;
                    continue;
                }
                out.add(range());
                skipSpace();
                if (at < text.length()) {
                    if (text.charAt(at) != ',') {
                        throw deny("the Accept header is malformed near '" + Texts.clip(text.substring(at), 40) + "'");
                    }
                    at++;
                }
            }
        }

        private MediaRange range() {
            String type = token("a media type");
            expect('/');
            String subtype = token("a media subtype");
            if (type.equals("*") && !subtype.equals("*")) {
                throw deny("the media range " + Texts.clip(type + "/" + subtype, 80) + " is malformed");
            }
            String full = (type + "/" + subtype).toLowerCase(Locale.ROOT);
            Map<String, String> parameters = new LinkedHashMap<>();
            String weight = null;
            boolean quoted = false;
            while (true) {
                int before = at;
                skipSpace();
                if (at >= text.length() || text.charAt(at) == ',') {
                    at = before;
                    return new MediaRange(full, parameters, weight, quoted);
                }
                expect(';');
                skipSpace();
                if (at >= text.length() || text.charAt(at) == ',' || text.charAt(at) == ';') {
                    continue; // an empty parameter
                }
                if (weight != null) {
                    throw deny("the Accept header has a parameter after the weight (q) of " + Texts.clip(full, 80));
                }
                String name = token("a parameter name").toLowerCase(Locale.ROOT);
                expect('=');
                boolean isQuoted = at < text.length() && text.charAt(at) == '"';
                String value = isQuoted ? quotedString() : token("a parameter value");
                if (name.equals("q")) {
                    if (isQuoted || !QVALUE.matcher(value).matches()) {
                        throw deny("the weight q=" + Texts.clip(value, 20) + " is not a valid qvalue");
                    }
                    weight = value;
                    continue;
                }
                if (parameters.containsKey(name)) {
                    throw deny("the Accept parameter " + Texts.clip(name, 40) + " is given twice");
                }
                quoted |= isQuoted;
                parameters.put(name, name.equals("charset") ? value.toLowerCase(Locale.ROOT) : value);
            }
        }

        private String token(String what) {
            int start = at;
            while (at < text.length() && tchar(text.charAt(at))) {
                at++;
            }
            if (start == at) {
                throw deny("the Accept header is malformed: expected " + what + " near '"
                    + Texts.clip(text.substring(start), 40) + "'");
            }
            return text.substring(start, at);
        }

        private String quotedString() {
            StringBuilder value = new StringBuilder();
            at++;
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\') {
                    if (at >= text.length()) {
                        break;
                    }
                    c = text.charAt(at++);
                }
                if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                    throw deny("the Accept header has a control or non-Latin-1 character in a quoted string");
                }
                value.append(c);
            }
            throw deny("the Accept header has an unterminated quoted string");
        }

        private void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw deny("the Accept header is malformed: expected '" + c + "' near '"
                    + Texts.clip(at >= text.length() ? "" : text.substring(at), 40) + "'");
            }
            at++;
        }

        private void skipSpace() {
            while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
        }
    }
}
