package org.fleetrec.agent.sysmon;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One Sysmon event as every input shape reduces to: the System header and the EventData fields
 * by name. {@code recordId} is -1 when the shape does not carry one; {@code time} is when the
 * record was written (the mapper prefers Sysmon's own {@code UtcTime}). {@code truncated} marks an
 * event whose text was cut off (syslog line limits) and was recovered up to the cut: its last
 * field may be incomplete.
 */
public record SysmonEvent(int eventId, String computer, Instant time, long recordId, String providerName,
                          Map<String, String> data, String channel, boolean truncated) {

    public SysmonEvent {
        data = Map.copyOf(data);
    }

    public SysmonEvent(int eventId, String computer, Instant time, long recordId, String providerName,
                       Map<String, String> data, String channel) {
        this(eventId, computer, time, recordId, providerName, data, channel, false);
    }

    /**
     * Mixed exports carry Security, PowerShell and firewall events next to Sysmon's. The channel
     * decides; the provider only when a shape has no channel.
     */
    public boolean isSysmon() {
        if (channel != null && !channel.isBlank()) {
            return channel.toLowerCase(Locale.ROOT).endsWith("sysmon/operational");
        }
        return providerName != null && providerName.toLowerCase(Locale.ROOT).contains("sysmon");
    }

    /** Written by Sysmon for Linux: argv command lines, and GUIDs that need the pid to be unique. */
    public boolean fromLinux() {
        return SysmonMapper.LINUX_PROVIDER.equalsIgnoreCase(providerName);
    }

    /** Why an event is not mapped as Sysmon, in the reader's words. */
    public String notSysmonReason() {
        return "not a Sysmon event (channel " + (channel == null || channel.isBlank() ? "none, provider " + providerName : channel) + ")";
    }
}
