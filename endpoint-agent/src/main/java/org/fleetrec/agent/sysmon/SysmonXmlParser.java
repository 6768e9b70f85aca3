package org.fleetrec.agent.sysmon;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.StringReader;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code <Event>} element, as Windows, the evtx renderer or Sysmon for Linux write it, into a
 * {@link SysmonEvent}. The text is repaired first ({@link XmlEntities}) and read with DTDs and
 * external entities off: nothing in an event can make the parser fetch or expand anything.
 */
public final class SysmonXmlParser {
    private static final XMLInputFactory FACTORY = secureFactory();

    private SysmonXmlParser() {
    }

    public static SysmonEvent parse(String eventXml) {
        return parse(eventXml, false);
    }

    /** An event cut off before its end: closed where it stops, so everything before the cut is kept. */
    public static SysmonEvent parseTruncated(String partialXml) {
        try {
            return parse(XmlTruncation.close(partialXml), true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("truncated event, not recoverable: " + e.getMessage(), e);
        }
    }

    private static SysmonEvent parse(String eventXml, boolean truncated) {
        String xml = XmlEntities.repair(validChars(eventXml));
        Header header = new Header();
        Map<String, String> data = new LinkedHashMap<>();
        XMLStreamReader reader = null;
        try {
            synchronized (FACTORY) {
                reader = FACTORY.createXMLStreamReader(new StringReader(xml));
            }
            String section = "";
            int unnamed = 0;
            while (reader.hasNext()) {
                int next = reader.next();
                if (next == XMLStreamConstants.DTD) throw new IllegalArgumentException("document type declaration refused");
                if (next != XMLStreamConstants.START_ELEMENT) continue;
                String name = reader.getLocalName();
                switch (name) {
                    case "System", "EventData", "UserData" -> section = name;
                    case "Provider" -> header.provider = attribute(reader, "Name");
                    case "TimeCreated" -> header.time = attribute(reader, "SystemTime");
                    case "EventID", "EventRecordID", "Channel", "Computer" -> {
                        if ("System".equals(section)) header.set(name, reader.getElementText().trim());
                    }
                    case "Data" -> {
                        String field = attribute(reader, "Name");
                        String value = reader.getElementText();
                        data.put(field == null || field.isEmpty() ? "Data" + unnamed++ : field, value);
                    }
                    default -> {
                    }
                }
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("malformed event XML: " + firstLine(e.getMessage()), e);
        } finally {
            close(reader);
        }
        return header.event(data, truncated);
    }

    private static final class Header {
        String provider;
        String time;
        String eventId;
        String recordId;
        String channel;
        String computer;

        void set(String element, String value) {
            switch (element) {
                case "EventID" -> eventId = value;
                case "EventRecordID" -> recordId = value;
                case "Channel" -> channel = value;
                default -> computer = value;
            }
        }

        SysmonEvent event(Map<String, String> data, boolean truncated) {
            if (eventId == null) throw new IllegalArgumentException("event without <EventID>");
            int id;
            try {
                id = Integer.parseInt(eventId);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("event id is not a number: " + eventId);
            }
            Instant when = SysmonTimes.utc(time).or(() -> SysmonTimes.utc(data.get("UtcTime")))
                    .orElseThrow(() -> new IllegalArgumentException("event " + id + " without a readable time (" + time + ")"));
            long record = -1;
            try {
                if (recordId != null) record = Long.parseLong(recordId);
            } catch (NumberFormatException e) {
                // a record id is a convenience, not needed to map the event
            }
            return new SysmonEvent(id, computer, when, record, provider, data, channel, truncated);
        }
    }

    private static String attribute(XMLStreamReader reader, String name) {
        for (int i = 0; i < reader.getAttributeCount(); i++) {
            if (name.equals(reader.getAttributeLocalName(i))) return reader.getAttributeValue(i);
        }
        return null;
    }

    /** Characters XML 1.0 forbids (control bytes in a forged command line) would fail the whole event. */
    private static String validChars(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF);
            if (!ok && out == null) out = new StringBuilder(s.substring(0, i));
            if (out != null) out.append(ok ? c : '\uFFFD');
        }
        return out == null ? s : out.toString();
    }

    private static String firstLine(String message) {
        if (message == null) return "unknown error";
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).trim();
    }

    private static void close(XMLStreamReader reader) {
        if (reader == null) return;
        try {
            reader.close();
        } catch (XMLStreamException e) {
            // nothing to release for a string source
        }
    }

    private static XMLInputFactory secureFactory() {
        // The JDK's own implementation, whatever else is on the class path.
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        return factory;
    }
}
