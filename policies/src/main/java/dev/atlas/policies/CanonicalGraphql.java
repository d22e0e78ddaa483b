package dev.atlas.policies;

import graphql.language.AstPrinter;
import graphql.language.Document;

/**
 * Atlas's own text of a checked document, the only GraphQL text ever sent upstream: graphql-java's compact
 * {@link AstPrinter} output over the parsed AST, made printable ASCII.
 *
 * <p>The printer drops comments and ignored characters (BOM, commas, {@code \r}, U+2028/U+2029 outside strings) and
 * prints every string value, block strings included, as an ordinary quoted string. What it leaves raw inside a
 * string (control characters other than {@code \b \f \n \r \t}, anything beyond ASCII) is rewritten here as a
 * {@code \}{@code uXXXX} escape, surrogate pairs as two escapes. So the VCS's lexer meets no comment, no block
 * string, no line terminator inside a token and no character two lexers might read differently; only names,
 * punctuators, numbers and plain strings.
 */
final class CanonicalGraphql {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private CanonicalGraphql() {
    }

    /**
     * The canonical text of {@code document}.
     *
     * @throws Denial (400) when a string value holds an unpaired UTF-16 surrogate, which no escape can express
     */
    static String print(Document document) {
        return escapeStrings(AstPrinter.printAstCompact(document));
    }

    /**
     * Rewrites every character outside printable ASCII as an escape. The printer writes such characters only inside
     * string values (names, punctuators, numbers and its own separators are ASCII), and this is checked while
     * scanning: one outside a string is a printer change this class does not know, and fails rather than guesses.
     */
    static String escapeStrings(String printed) {
        StringBuilder out = null;
        boolean inString = false;
        int length = printed.length();
        for (int i = 0; i < length; i++) {
            char c = printed.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                if (inString && c == '\\') {
                    // an escape the printer wrote: copy it whole so its second character is not read as a quote
                    if (out != null) {
                        out.append(c).append(printed.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                if (c == '"') {
                    inString = !inString;
                }
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (!inString) {
                throw new IllegalStateException("the printer wrote a character outside printable ASCII between tokens");
            }
            if (out == null) {
                out = new StringBuilder(length + 16).append(printed, 0, i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(printed.charAt(i + 1))) {
                escape(out, c);
                escape(out, printed.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                throw Denial.invalid("a string value holds an unpaired UTF-16 surrogate");
            } else {
                escape(out, c);
            }
        }
        if (inString) {
            throw new IllegalStateException("the printer left a string open");
        }
        return out == null ? printed : out.toString();
    }

    private static void escape(StringBuilder out, char c) {
        out.append('\\').append('u').append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
            .append(HEX[c & 0xF]);
    }
}
