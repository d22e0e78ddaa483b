package dev.atlas.policies;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small GraphQL lexer in two dialects, for differential tests: {@link Dialect#GRAPHQL_JAVA} follows the spec as
 * graphql-java does (a comment ends at {@code \n} or a lone {@code \r}; {@code \"""} escapes inside a block string;
 * a BOM is ignored), {@link Dialect#GRAPHQL_RUBY} follows the rules issue 13 found in graphql-ruby's lexer (a comment
 * ends only at {@code \n}; a block string is its regular expression {@code """((?:\\"""|[^"]|"[^"]|""[^"])*)"""};
 * a BOM is an unknown character). Tokens come out as text: names, punctuators, numbers, {@code STRING:<raw>},
 * {@code BLOCK:<raw>}, {@code UNKNOWN:<char>}. Not a validator: only where two lexers can disagree matters here.
 */
final class ReferenceLexer {

    enum Dialect { GRAPHQL_JAVA, GRAPHQL_RUBY }

    private static final Pattern NAME = Pattern.compile("[_A-Za-z][_0-9A-Za-z]*");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    private static final Pattern RUBY_BLOCK = Pattern.compile("\"\"\"((?:\\\\\"\"\"|[^\"]|\"[^\"]|\"\"[^\"])*)\"\"\"",
        Pattern.DOTALL);

    private ReferenceLexer() {
    }

    static List<String> tokens(String text, Dialect dialect) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r'
                    || c == '\uFEFF' && dialect == Dialect.GRAPHQL_JAVA) {
                i++;
            } else if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n'
                        && !(text.charAt(i) == '\r' && dialect == Dialect.GRAPHQL_JAVA)) {
                    i++;
                }
            } else if (text.startsWith("\"\"\"", i)) {
                int end = dialect == Dialect.GRAPHQL_JAVA ? javaBlockEnd(text, i) : rubyBlockEnd(text, i);
                tokens.add("BLOCK:" + text.substring(i, end));
                i = end;
            } else if (c == '"') {
                int end = stringEnd(text, i);
                tokens.add("STRING:" + text.substring(i, end));
                i = end;
            } else if (text.startsWith("...", i)) {
                tokens.add("...");
                i += 3;
            } else if ("!$&():=@[]{|}".indexOf(c) >= 0) {
                tokens.add(String.valueOf(c));
                i++;
            } else {
                Matcher name = NAME.matcher(text).region(i, text.length());
                Matcher number = NUMBER.matcher(text).region(i, text.length());
                if (name.lookingAt()) {
                    tokens.add(name.group());
                    i = name.end();
                } else if (number.lookingAt()) {
                    tokens.add(number.group());
                    i = number.end();
                } else {
                    tokens.add("UNKNOWN:" + c);
                    i++;
                }
            }
        }
        return tokens;
    }

    /** The names outside strings and comments: what a server could read as fields, arguments or types. */
    static List<String> names(String text, Dialect dialect) {
        return tokens(text, dialect).stream().filter(t -> NAME.matcher(t).matches()).toList();
    }

    private static int javaBlockEnd(String text, int start) {
        int i = start + 3;
        while (i < text.length()) {
            if (text.startsWith("\\\"\"\"", i)) {
                i += 4;
            } else if (text.startsWith("\"\"\"", i)) {
                return i + 3;
            } else {
                i++;
            }
        }
        return text.length();
    }

    private static int rubyBlockEnd(String text, int start) {
        Matcher m = RUBY_BLOCK.matcher(text).region(start, text.length());
        return m.lookingAt() ? m.end() : text.length();
    }

    private static int stringEnd(String text, int start) {
        int i = start + 1;
        while (i < text.length() && text.charAt(i) != '"' && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
            i += text.charAt(i) == '\\' ? 2 : 1;
        }
        return Math.min(i + 1, text.length());
    }
}
