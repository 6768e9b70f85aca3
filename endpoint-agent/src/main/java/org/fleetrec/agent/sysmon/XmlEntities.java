package org.fleetrec.agent.sysmon;

import java.util.Set;

/**
 * Makes event XML safe and well formed before a parser sees it. Sysmon for Linux writes
 * {@code &lt unknown process&gt } and {@code &quot } with a space where the {@code ;} belongs;
 * a strict parser would lose the whole event. Any other {@code &} that is not a predefined
 * entity or a character reference becomes literal text, so no entity is ever expanded from a
 * declaration, whatever the input declares.
 */
public final class XmlEntities {
    private static final Set<String> PREDEFINED = Set.of("lt", "gt", "amp", "quot", "apos");
    private static final int LONGEST_NAME = 4;

    private XmlEntities() {
    }

    public static String repair(String xml) {
        int amp = xml.indexOf('&');
        if (amp < 0) return xml;
        StringBuilder out = new StringBuilder(xml.length() + 16);
        int from = 0;
        while (amp >= 0) {
            out.append(xml, from, amp);
            from = amp + 1;
            int end = referenceEnd(xml, from);
            if (end > 0) {
                out.append(xml, amp, end);
                from = end;
            } else {
                String name = predefinedPrefix(xml, from);
                if (name != null) {
                    out.append('&').append(name).append(';');
                    from += name.length();
                    // The writer put a space where the ';' belongs: it is part of the reference.
                    if (from < xml.length() && xml.charAt(from) == ' ') from++;
                } else {
                    out.append("&amp;");
                }
            }
            amp = xml.indexOf('&', from);
        }
        return out.append(xml, from, xml.length()).toString();
    }

    /** End (after ';') of a well-formed predefined or numeric reference starting after '&', else -1. */
    private static int referenceEnd(String s, int at) {
        int semi = s.indexOf(';', at);
        if (semi < 0 || semi - at > 10) return -1;
        String name = s.substring(at, semi);
        if (PREDEFINED.contains(name)) return semi + 1;
        if (name.matches("#[0-9]{1,7}") || name.matches("#x[0-9a-fA-F]{1,6}")) {
            int code = name.charAt(1) == 'x' ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
            return isXmlChar(code) ? semi + 1 : -1;
        }
        return -1;
    }

    private static String predefinedPrefix(String s, int at) {
        for (int len = LONGEST_NAME; len >= 2; len--) {
            if (at + len <= s.length() && PREDEFINED.contains(s.substring(at, at + len))) {
                int next = at + len;
                // "&ltx" is a different (unknown) name, not "&lt" followed by "x".
                if (next == s.length() || !Character.isLetterOrDigit(s.charAt(next))) return s.substring(at, next);
            }
        }
        return null;
    }

    private static boolean isXmlChar(int c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }
}
