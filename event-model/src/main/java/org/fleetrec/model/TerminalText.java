package org.fleetrec.model;

/** Recorded text is attacker-controlled: on a terminal it must show, never act. */
public final class TerminalText {
    private TerminalText() {
    }

    /** Control characters (C0, DEL, C1) as \xNN, so an escape sequence in a command line cannot drive the terminal. */
    public static String safe(String text) {
        if (text == null) return "";
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) out.append(String.format("\\x%02x", c));
            else out.appendCodePoint(c);
        });
        return out.toString();
    }
}
