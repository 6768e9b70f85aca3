package org.fleetrec.agent.sysmon;

import org.fleetrec.model.EventDocument;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code TargetObject} and {@code Details} of registry events (12, 13, 14) as ECS {@code registry.*}:
 * hive abbreviated, key without the hive, value as the last path element, and the data typed the
 * way Sysmon renders it ({@code DWORD (0x..)}, {@code QWORD (0x..-0x..)}, {@code Binary Data}, else text).
 */
final class RegistryFields {
    private static final Map<String, String> HIVES = Map.ofEntries(
            Map.entry("HKEY_CLASSES_ROOT", "HKCR"), Map.entry("HKCR", "HKCR"),
            Map.entry("HKEY_CURRENT_CONFIG", "HKCC"), Map.entry("HKCC", "HKCC"),
            Map.entry("HKEY_CURRENT_USER", "HKCU"), Map.entry("HKCU", "HKCU"),
            Map.entry("HKEY_DYN_DATA", "HKDD"), Map.entry("HKDD", "HKDD"),
            Map.entry("HKEY_LOCAL_MACHINE", "HKLM"), Map.entry("HKLM", "HKLM"),
            Map.entry("HKEY_PERFORMANCE_DATA", "HKPD"), Map.entry("HKPD", "HKPD"),
            Map.entry("HKEY_USERS", "HKU"), Map.entry("HKU", "HKU"));
    private static final Pattern QWORD = Pattern.compile("(?i)QWORD \\(0x([0-9A-F]{8})-0x([0-9A-F]{8})\\)");
    private static final Pattern DWORD = Pattern.compile("(?i)DWORD \\(0x([0-9A-F]{8})\\)");

    private RegistryFields() {
    }

    static void fill(EventDocument doc, EventData data) {
        String path = data.take("TargetObject");
        if (path == null) return;
        doc.put("registry.path", path);
        String[] parts = path.split("\\\\");
        String hive = HIVES.get(parts[0].toUpperCase(java.util.Locale.ROOT));
        if (hive != null) {
            doc.put("registry.hive", hive);
            if (parts.length > 1) doc.put("registry.key", path.substring(parts[0].length() + 1));
        }
        doc.put("registry.value", parts[parts.length - 1]);
        String details = data.take("Details");
        if (details != null) {
            String[] typed = typed(details);
            doc.put("registry.data.type", typed[0]).putAll("registry.data.strings", List.of(typed[1]));
        }
    }

    /** {type, string}; QWORD is high and low dword, combined as the 64-bit number it is. */
    static String[] typed(String details) {
        Matcher q = QWORD.matcher(details);
        if (q.matches()) {
            long value = (Long.parseLong(q.group(1), 16) << 32) | Long.parseLong(q.group(2), 16);
            return new String[]{"SZ_QWORD", Long.toUnsignedString(value)};
        }
        Matcher d = DWORD.matcher(details);
        if (d.matches()) return new String[]{"SZ_DWORD", Long.toString(Long.parseLong(d.group(1), 16))};
        if ("Binary Data".equals(details)) return new String[]{"REG_BINARY", details};
        return new String[]{"REG_SZ", details};
    }

    /** Event 12 says which operation in EventType; the action names it. */
    static String action12(String eventType) {
        if (eventType == null) return null;
        return switch (eventType) {
            case "CreateKey" -> "created-registry-key";
            case "DeleteKey" -> "deleted-registry-key";
            case "CreateValue" -> "created-registry-value";
            case "DeleteValue" -> "deleted-registry-value";
            default -> null;
        };
    }
}
