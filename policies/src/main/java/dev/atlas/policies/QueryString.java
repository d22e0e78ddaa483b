package dev.atlas.policies;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the parameter names of a raw query string; values are passed on untouched and never interpreted. */
final class QueryString {

    private QueryString() {
    }

    static List<String> names(String rawQuery) {
        List<String> names = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return names;
        }
        if (rawQuery.length() > 4096) {
            throw deny("the query string is longer than 4096 characters");
        }
        for (int i = 0; i < rawQuery.length(); i++) {
            char c = rawQuery.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                throw deny("the query string contains a character that must be percent-encoded");
            }
            // Some frameworks also split parameters on ';', which would hide a parameter from this check.
            if (c == ';') {
                throw deny("';' is not allowed in the query string");
            }
            if (c == '%' && (i + 2 >= rawQuery.length() || Character.digit(rawQuery.charAt(i + 1), 16) < 0
                    || Character.digit(rawQuery.charAt(i + 2), 16) < 0)) {
                throw deny("the query string has a malformed percent-encoding");
            }
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            names.add(decode(eq < 0 ? pair : pair.substring(0, eq)));
        }
        return names;
    }

    private static String decode(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw deny("the query string has a malformed percent-encoding");
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(c == '+' ? ' ' : c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Denial deny(String reason) {
        return Denial.deny("query-string", reason);
    }
}
