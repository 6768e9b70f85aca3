package org.fleetrec.agent.sysmon;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Closes the elements of an event cut off mid-way (a syslog line limit cuts Sysmon for Linux's
 * long command lines): an incomplete trailing tag is dropped, then every open element is ended,
 * so the fields before the cut can be read.
 */
final class XmlTruncation {
    private XmlTruncation() {
    }

    static String close(String partial) {
        // The line break after the cut was added by line reading, not part of the value.
        String xml = partial.stripTrailing();
        int lastOpen = xml.lastIndexOf('<');
        if (lastOpen >= 0 && xml.indexOf('>', lastOpen) < 0) xml = xml.substring(0, lastOpen);
        // A reference cut in half ("&qu") would become literal text; drop it instead.
        int amp = xml.lastIndexOf('&');
        if (amp >= 0 && xml.indexOf(';', amp) < 0 && xml.length() - amp < 6 && xml.substring(amp + 1).matches("[a-z#0-9]*")) {
            xml = xml.substring(0, amp);
        }
        Deque<String> open = new ArrayDeque<>();
        for (int at = xml.indexOf('<'); at >= 0; at = xml.indexOf('<', at + 1)) {
            int end = xml.indexOf('>', at);
            if (end < 0) break;
            if (xml.startsWith("</", at)) {
                if (!open.isEmpty()) open.pop();
            } else if (!xml.startsWith("<?", at) && !xml.startsWith("<!", at) && xml.charAt(end - 1) != '/') {
                int nameEnd = at + 1;
                while (nameEnd < end && !Character.isWhitespace(xml.charAt(nameEnd))) nameEnd++;
                open.push(xml.substring(at + 1, nameEnd));
            }
            at = end;
        }
        StringBuilder closed = new StringBuilder(xml);
        while (!open.isEmpty()) closed.append("</").append(open.pop()).append('>');
        return closed.toString();
    }
}
