package dev.atlas.policies;

/** Makes caller-supplied text safe to put into a denial reason or a log line: bounded and printable. */
final class Texts {

    private Texts() {
    }

    static String clip(String text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 3);
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f || (c >= 0x80 && Character.isISOControl(c)) ? '?' : c);
        }
        if (text.length() > max) {
            out.append("...");
        }
        return out.toString();
    }
}
