package org.fleetrec.agent.sysmon;

import java.util.Locale;

/**
 * Sysmon's process GUID as {@code process.entity_id}: braces stripped and lower-cased. The shapes
 * disagree on case (Winlogbeat upper, evtx and NXLog lower) and the web joins entity ids by exact
 * term, so one spelling is forced here, whatever the source. The all-zero GUID, and Sysmon for
 * Linux's {@code xxxxxxxx-xxxx-xxxx-0000-000000000000} that it gives every process it could not
 * identify ({@code <unknown process>}), name no single process: they yield no entity id rather
 * than merge unrelated processes into one tree node.
 *
 * <p>Sysmon for Linux's GUIDs are not unique: two processes started in one second whose task
 * structures sat at the same kernel address get the same GUID (seen in the OTRF Log4Shell run:
 * pids 17825 and 17829 of different parents). Its entity ids therefore carry the pid too; every
 * Linux event that names a GUID names its pid with it.
 */
public final class SysmonIds {
    private SysmonIds() {
    }

    /** The entity id of a Sysmon for Linux process: its GUID and pid; the GUID alone when the pid is unreadable. */
    public static String linuxEntityId(String guid, String pid) {
        String id = entityId(guid);
        if (id == null || pid == null || !pid.trim().matches("\\d{1,10}")) return id;
        return id + "-" + pid.trim();
    }

    /** The entity id an event gives the process named in {@code guidField} (and {@code pidField}), as the mapper does. */
    public static String entityId(SysmonEvent event, String guidField, String pidField) {
        String guid = event.data().get(guidField);
        return event.fromLinux() ? linuxEntityId(guid, event.data().get(pidField)) : entityId(guid);
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
