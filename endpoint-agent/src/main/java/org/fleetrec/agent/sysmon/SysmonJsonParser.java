package org.fleetrec.agent.sysmon;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One JSON record into a {@link SysmonEvent}. Three shapes: Winlogbeat ({@code winlog.*}, whose
 * {@code event_data} is trusted and whose rendered {@code message} never is), flat NXLog rows
 * (EventData fields as top-level keys next to the collector's own), and syslog rows whose
 * {@code SyslogMessage} holds Sysmon for Linux's event XML.
 */
public final class SysmonJsonParser {
    /** Keys NXLog and its shippers add around the EventData fields; not Sysmon data. */
    private static final Set<String> NXLOG_KEYS = Set.of("@timestamp", "@version", "AccountName", "AccountType",
            "Category", "Channel", "Domain", "EventID", "EventReceivedTime", "EventTime", "EventTypeOrignal",
            "ExecutionProcessID", "Hostname", "Keywords", "Level", "Message", "Opcode", "OpcodeValue", "ProviderGuid",
            "ProviderName", "RecordNumber", "EventRecordID", "Severity", "SeverityValue", "SourceModuleName",
            "SourceModuleType", "SourceName", "Task", "ThreadID", "TimeCreated", "UserID", "Version", "host", "port", "tags");
    /** NXLog's own EventType is a severity; Sysmon's (registry events) is an operation and is kept. */
    private static final Set<String> NXLOG_SEVERITIES = Set.of("INFO", "WARNING", "ERROR", "CRITICAL", "VERBOSE",
            "AUDIT_SUCCESS", "AUDIT_FAILURE");

    private SysmonJsonParser() {
    }

    /** Records that are fine but not Sysmon's: reported as skipped, not as errors. */
    static final class NotSysmonException extends IllegalArgumentException {
        NotSysmonException(String reason) {
            super(reason);
        }
    }

    /** The event, or an IllegalArgumentException saying why the record is not one. */
    public static SysmonEvent parse(JsonNode row) {
        if (!row.isObject()) throw new IllegalArgumentException("JSON record is not an object");
        if (row.path("winlog").isObject()) return winlogbeat(row);
        if (row.hasNonNull("SyslogMessage")) return syslog(row);
        if (row.hasNonNull("EventID")) return nxlog(row);
        throw new IllegalArgumentException("unrecognised JSON record (no winlog, EventID or SyslogMessage)");
    }

    private static SysmonEvent winlogbeat(JsonNode row) {
        JsonNode winlog = row.path("winlog");
        int id = eventId(winlog.path("event_id"));
        Map<String, String> data = strings(winlog.path("event_data"), Set.of());
        String computer = text(winlog, "computer_name").orElse(row.path("host").path("name").asText(null));
        Instant time = SysmonTimes.utc(row.path("@timestamp").asText(null))
                .or(() -> SysmonTimes.utc(winlog.path("time_created").asText(null)))
                .or(() -> SysmonTimes.utc(data.get("UtcTime")))
                .orElseThrow(() -> new IllegalArgumentException("Winlogbeat record without a readable @timestamp"));
        return new SysmonEvent(id, computer, time, number(winlog.path("record_id")),
                text(winlog, "provider_name").orElse(null), data, text(winlog, "channel").orElse(null));
    }

    private static SysmonEvent syslog(JsonNode row) {
        String message = row.path("SyslogMessage").asText();
        int start = message.indexOf("<Event");
        if (start < 0) {
            throw new NotSysmonException("not a Sysmon event (syslog message from " + row.path("ProcessName").asText("?") + ")");
        }
        int end = message.lastIndexOf("</Event>");
        // Syslog cuts long messages: what arrived is still this event's, up to the cut.
        return end < start ? SysmonXmlParser.parseTruncated(message.substring(start))
                : SysmonXmlParser.parse(message.substring(start, end + "</Event>".length()));
    }

    private static SysmonEvent nxlog(JsonNode row) {
        int id = eventId(row.path("EventID"));
        Map<String, String> data = strings(row, NXLOG_KEYS);
        if (data.containsKey("EventType") && NXLOG_SEVERITIES.contains(data.get("EventType"))) data.remove("EventType");
        Instant time = SysmonTimes.utc(row.path("@timestamp").asText(null))
                .or(() -> SysmonTimes.utc(row.path("TimeCreated").asText(null)))
                .or(() -> SysmonTimes.zoned(row.path("EventTime").asText(null)))
                .or(() -> SysmonTimes.utc(data.get("UtcTime")))
                .orElseThrow(() -> new IllegalArgumentException("NXLog record without a readable time"));
        long record = row.has("RecordNumber") ? number(row.path("RecordNumber")) : number(row.path("EventRecordID"));
        String provider = text(row, "SourceName").or(() -> text(row, "ProviderName")).orElse(null);
        return new SysmonEvent(id, text(row, "Hostname").orElse(null), time, record, provider, data,
                text(row, "Channel").orElse(null));
    }

    private static int eventId(JsonNode node) {
        try {
            if (node.canConvertToInt()) return node.asInt();
            return Integer.parseInt(node.asText().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("event id is not a number: " + node);
        }
    }

    private static long number(JsonNode node) {
        if (node.canConvertToLong()) return node.asLong();
        try {
            return Long.parseLong(node.asText().trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? Optional.empty() : Optional.of(value.asText());
    }

    private static Map<String, String> strings(JsonNode object, Set<String> except) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (except.contains(field.getKey()) || value.isNull() || value.isContainerNode()) continue;
            out.put(field.getKey(), value.asText());
        }
        return out;
    }
}
