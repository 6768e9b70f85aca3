package org.fleetrec.agent.sysmon;

import java.util.Locale;

/**
 * Sysmon's process GUID as {@code process.entity_id}: braces stripped and lower-cased. The shapes
 * disagree on case (Winlogbeat upper, evtx and NXLog lower) and the web joins entity ids by exact
 * term, so one spelling is forced here, whatever the source. The all-zero GUID, and Sysmon for
 * Linux's {@code xxxxxxxx-xxxx-xxxx-0000-000000000000} that it gives every process it could not
 * identify ({@code <unknown process>}), name no single process: they yield no entity id rather
 * than merge unrelated processes into one tree node.
 */
public final class SysmonIds {
    private SysmonIds() {
    }

    public static String entityId(String guid) {
        if (guid == null) return null;
        String id = guid.trim();
        if (id.startsWith("{") && id.endsWith("}")) id = id.substring(1, id.length() - 1);
        id = id.toLowerCase(Locale.ROOT);
        if (id.isEmpty() || id.chars().allMatch(c -> c == '0' || c == '-') || id.endsWith("-0000-000000000000")) return null;
        return id;
    }
}
