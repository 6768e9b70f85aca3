package org.fleetrec.agent.sysmon.evtx;

/**
 * Text as it may appear in the rendered XML. Values come from the file and can hold anything:
 * markup characters are escaped, characters XML 1.0 cannot carry (control bytes, unpaired
 * surrogates) become U+FFFD, and the line-end characters an XML reader would normalise away are
 * written as character references so a value reads back exactly.
 */
final class XmlText {
    private static final char REPLACEMENT = '\uFFFD';

    private XmlText() {
    }

    static void appendText(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\r' -> out.append("&#13;");
                default -> i = appendChar(out, s, i);
            }
        }
    }

    /** For a single-quoted attribute value; tab and line feed too, as attribute normalisation would make them spaces. */
    static void appendAttribute(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\'' -> out.append("&apos;");
                case '"' -> out.append("&quot;");
                case '\r' -> out.append("&#13;");
                case '\n' -> out.append("&#10;");
                case '\t' -> out.append("&#9;");
                default -> i = appendChar(out, s, i);
            }
        }
    }

    /** Appends the character at {@code i} (a whole surrogate pair when valid); returns the last index used. */
    private static int appendChar(StringBuilder out, String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(i + 1));
            return i + 1;
        }
        out.append(isXmlChar(c) ? c : REPLACEMENT);
        return i;
    }

    private static boolean isXmlChar(char c) {
        if (c < 0x20) return c == '\t' || c == '\n' || c == '\r';
        return !Character.isSurrogate(c) && c != 0xFFFE && c != 0xFFFF;
    }

    /** A reference to a character XML cannot carry would make the document unreadable: it becomes U+FFFD. */
    static void appendCharRef(StringBuilder out, int code) {
        if (isXmlChar((char) code)) out.append("&#").append(code).append(';');
        else out.append(REPLACEMENT);
    }

    /** A CDATA section cannot contain its own end marker; it is split around it. */
    static void appendCData(StringBuilder out, String s) {
        out.append("<![CDATA[");
        int from = 0;
        for (int end = s.indexOf("]]>"); end >= 0; end = s.indexOf("]]>", from)) {
            appendRaw(out, s.substring(from, end + 2));
            out.append("]]><![CDATA[");
            from = end + 2;
        }
        appendRaw(out, s.substring(from));
        out.append("]]>");
    }

    static void appendPi(StringBuilder out, String target, String data) {
        out.append("<?").append(target);
        if (!data.isEmpty()) {
            out.append(' ');
            appendRaw(out, data.replace("?>", "? >"));
        }
        out.append("?>");
    }

    private static void appendRaw(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) i = appendChar(out, s, i);
    }

    /**
     * Names come from the file too: anything but a plain XML name could smuggle markup into the
     * output. Event manifests use ASCII names; XML readers disagree on which other letters a name
     * may hold, so none are accepted.
     */
    static boolean isName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':'
                    || (i > 0 && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
            if (!ok) return false;
        }
        return true;
    }

    /** A name or value for an error message: control characters shown, length capped. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 60; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) out.append(String.format("\\x%02x", (int) c));
            else out.append(c);
        }
        return s.length() > 60 ? out + "…" : out.toString();
    }
}
