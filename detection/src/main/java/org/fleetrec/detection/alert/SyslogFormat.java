package org.fleetrec.detection.alert;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An alert as one RFC 5424 message: {@code <PRI>1 TIMESTAMP HOSTNAME fleetrec PROCID MSGID [SD] MSG}.
 * The structured data carries the alert's key fields for a SIEM to parse; MSG a line for people.
 *
 * <p>Everything that came from an endpoint is attacker-controlled. Each value is first made one safe
 * line ({@link AlertText#safe}: control characters as {@code \xNN}), then escaped as §6.3.3 says
 * ({@code "}, {@code \} and {@code ]} behind a backslash), so no value can end its parameter, close
 * its element, or start a second record by a line break. Values are cut to size, the long ones
 * (command lines, paths) shorter and shorter until the message fits the transport's limit.
 */
final class SyslogFormat {
    static final String APP_NAME = "fleetrec";
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int[] LONG_VALUE_CAPS = {1024, 256, 64};
    private static final int SHORT_VALUE_CAP = 256;
    private static final int CORE_VALUE_CAP = 64;

    private final int facility;
    private final String hostname;
    private final String sdId;
    private final int maxBytes;
    private final String procId;

    SyslogFormat(int facility, String hostname, String sdId, int maxBytes) {
        this.facility = facility;
        this.hostname = printable(hostname, 255);
        this.sdId = sdId;
        this.maxBytes = maxBytes;
        this.procId = String.valueOf(ProcessHandle.current().pid());
    }

    /** One parameter: its SD-NAME, its value (String or number), and whether it may be long and cut first. */
    private record Param(String name, Object value, boolean longValue, boolean core) {
    }

    byte[] format(Alert alert) {
        List<Param> params = params(alert);
        String header = "<" + (facility * 8 + alert.level().syslogSeverity()) + ">1 " + timestamp(alert.firstSeen()) + " "
                + hostname + " " + APP_NAME + " " + procId + " " + msgId(alert.rule().id()) + " ";
        String msg = AlertText.summary(alert);
        byte[] message = null;
        for (int cap : LONG_VALUE_CAPS) {
            message = join(header, structuredData(params, cap, false), msg);
            if (message.length <= maxBytes) return message;
        }
        message = join(header, structuredData(params, CORE_VALUE_CAP, true), msg);
        if (message.length <= maxBytes) return message;
        // Only MSG is left to give: cut it on a character boundary (it is last, so the rest stays whole).
        int end = maxBytes;
        while (end > 0 && (message[end] & 0xC0) == 0x80) end--;
        return java.util.Arrays.copyOf(message, end);
    }

    private static byte[] join(String header, String structuredData, String msg) {
        byte[] head = (header + structuredData + " ").getBytes(StandardCharsets.UTF_8);
        byte[] body = msg.getBytes(StandardCharsets.UTF_8);
        // RFC 5424 §6.4: a UTF-8 MSG starts with a BOM; an ASCII one needs none.
        boolean ascii = body.length == msg.length();
        byte[] out = new byte[head.length + (ascii ? 0 : BOM.length) + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        if (!ascii) System.arraycopy(BOM, 0, out, head.length, BOM.length);
        System.arraycopy(body, 0, out, out.length - body.length, body.length);
        return out;
    }

    private static List<Param> params(Alert alert) {
        Map<String, Object> c = alert.context();
        Threat threat = Threat.fromTags(alert.rule().tags());
        List<Param> p = new ArrayList<>();
        p.add(new Param("alert_id", alert.id(), false, true));
        p.add(new Param("rule_id", alert.rule().id(), false, true));
        p.add(new Param("rule_name", alert.rule().title(), true, false));
        p.add(new Param("level", alert.level().id(), false, true));
        p.add(new Param("severity", alert.level().severity(), false, false));
        p.add(new Param("status", alert.status().status().id(), false, false));
        p.add(new Param("count", alert.count(), false, true));
        p.add(new Param("first_seen", alert.firstSeen().toString(), false, true));
        p.add(new Param("last_seen", alert.lastSeen().toString(), false, false));
        p.add(new Param("host_id", alert.hostId(), false, true));
        p.add(new Param("host_name", alert.hostName(), false, true));
        p.add(new Param("scope", alert.scope().id(), false, false));
        p.add(new Param("entity_id", c.get("process.entity_id"), false, false));
        p.add(new Param("pid", c.get("process.pid"), false, false));
        p.add(new Param("executable", c.get("process.executable"), true, false));
        p.add(new Param("command_line", c.get("process.command_line"), true, false));
        p.add(new Param("parent_pid", c.get("process.parent.pid"), false, false));
        p.add(new Param("parent_executable", c.get("process.parent.executable"), true, false));
        p.add(new Param("parent_command_line", c.get("process.parent.command_line"), true, false));
        p.add(new Param("user", c.get("user.name"), false, false));
        p.add(new Param("audit_user", c.get("user.audit.name"), false, false));
        p.add(new Param("file_path", c.get("file.path"), true, false));
        p.add(new Param("src_ip", c.get("source.ip"), false, false));
        p.add(new Param("src_port", c.get("source.port"), false, false));
        p.add(new Param("dst_ip", c.get("destination.ip"), false, false));
        p.add(new Param("dst_port", c.get("destination.port"), false, false));
        p.add(new Param("community_id", c.get("network.community_id"), false, false));
        p.add(new Param("tactic", threat.tactics().isEmpty() ? null : String.join(",", threat.tactics()), false, false));
        List<String> techniques = threat.subtechniques().isEmpty() ? threat.techniques() : threat.subtechniques();
        p.add(new Param("technique", techniques.isEmpty() ? null : String.join(",", techniques), false, false));
        p.add(new Param("event_index", alert.firstEvent().index(), false, true));
        p.add(new Param("event_id", alert.firstEvent().id(), false, true));
        return p;
    }

    private String structuredData(List<Param> params, int longCap, boolean coreOnly) {
        StringBuilder sd = new StringBuilder("[").append(sdId);
        for (Param param : params) {
            if (param.value() == null || coreOnly && !param.core()) continue;
            int cap = coreOnly ? CORE_VALUE_CAP : param.longValue() ? longCap : SHORT_VALUE_CAP;
            String value = AlertText.safe(param.value().toString(), cap);
            if (value.isEmpty()) continue;
            sd.append(' ').append(param.name()).append("=\"").append(escape(value)).append('"');
        }
        return sd.append(']').toString();
    }

    /** RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash. */
    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || ch == '\\' || ch == ']') out.append('\\');
            out.append(ch);
        }
        return out.toString();
    }

    /** RFC 3339 in UTC with at most six fraction digits, as RFC 5424 allows. */
    static String timestamp(Instant time) {
        return DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.MICROS));
    }

    /**
     * MSGID is 1 to 32 printable ASCII characters: the rule id as it is when it fits; a UUID (36
     * characters, Sigma's ids) without its hyphens (32); anything else cut to 32. The whole id is in
     * the structured data either way.
     */
    static String msgId(String ruleId) {
        if (ruleId.matches("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")) {
            return ruleId.replace("-", "");
        }
        return printable(ruleId, 32);
    }

    /** Only PRINTUSASCII (33-126), at most {@code max}; "-" (the NILVALUE) when nothing is left. */
    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char ch = text.charAt(i);
            if (ch >= 33 && ch <= 126) out.append(ch);
        }
        return out.isEmpty() ? "-" : out.toString();
    }
}
