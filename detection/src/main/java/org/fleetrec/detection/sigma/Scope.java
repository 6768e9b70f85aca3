package org.fleetrec.detection.sigma;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The documents a rule's logsource covers: an OS, a set of event kinds and a collector, each
 * optional. {@link #of(LogSource)} is the single place that decides which Sigma logsources the
 * project can serve; {@link #filter()} says the same thing as a query.
 */
record Scope(EventClass.Os os, Set<EventKind> kinds, EventClass.Collector collector) {
    private static final Map<String, Set<EventKind>> CATEGORIES = Map.ofEntries(
            Map.entry("process_creation", EnumSet.of(EventKind.PROCESS_CREATION)),
            Map.entry("process_termination", EnumSet.of(EventKind.PROCESS_TERMINATION)),
            Map.entry("process_access", EnumSet.of(EventKind.PROCESS_ACCESS)),
            Map.entry("create_remote_thread", EnumSet.of(EventKind.CREATE_REMOTE_THREAD)),
            Map.entry("wmi_event", EnumSet.of(EventKind.WMI_EVENT)),
            Map.entry("process_tampering", EnumSet.of(EventKind.PROCESS_TAMPERING)),
            Map.entry("clipboard_capture", EnumSet.of(EventKind.CLIPBOARD_CAPTURE)),
            // a rename makes a file appear under its new name: a file event for that name
            Map.entry("file_event", EnumSet.of(EventKind.FILE_EVENT, EventKind.FILE_RENAME)),
            Map.entry("file_rename", EnumSet.of(EventKind.FILE_RENAME)),
            Map.entry("file_delete", EnumSet.of(EventKind.FILE_DELETE)),
            Map.entry("file_change", EnumSet.of(EventKind.FILE_CHANGE)),
            Map.entry("file_access", EnumSet.of(EventKind.FILE_ACCESS)),
            Map.entry("create_stream_hash", EnumSet.of(EventKind.CREATE_STREAM_HASH)),
            Map.entry("raw_access_thread", EnumSet.of(EventKind.RAW_ACCESS_THREAD)),
            Map.entry("pipe_created", EnumSet.of(EventKind.PIPE_CREATED)),
            Map.entry("file_executable_detected", EnumSet.of(EventKind.FILE_EXECUTABLE_DETECTED)),
            Map.entry("file_block_executable", EnumSet.of(EventKind.FILE_BLOCK_EXECUTABLE)),
            Map.entry("file_block_shredding", EnumSet.of(EventKind.FILE_BLOCK_SHREDDING)),
            Map.entry("network_connection", EnumSet.of(EventKind.NETWORK_CONNECTION)),
            Map.entry("dns_query", EnumSet.of(EventKind.DNS_QUERY)),
            Map.entry("registry_add", EnumSet.of(EventKind.REGISTRY_ADD)),
            Map.entry("registry_delete", EnumSet.of(EventKind.REGISTRY_DELETE)),
            Map.entry("registry_set", EnumSet.of(EventKind.REGISTRY_SET)),
            Map.entry("registry_rename", EnumSet.of(EventKind.REGISTRY_RENAME)),
            Map.entry("registry_event", EnumSet.of(EventKind.REGISTRY_ADD, EventKind.REGISTRY_DELETE, EventKind.REGISTRY_SET,
                    EventKind.REGISTRY_RENAME, EventKind.REGISTRY_OTHER)),
            Map.entry("image_load", EnumSet.of(EventKind.IMAGE_LOAD)),
            Map.entry("driver_load", EnumSet.of(EventKind.DRIVER_LOAD)));

    static Scope of(LogSource ls) throws RuleException {
        EventClass.Os os = null;
        if (ls.product() != null) {
            os = switch (ls.product()) {
                case "linux" -> EventClass.Os.LINUX;
                case "windows" -> EventClass.Os.WINDOWS;
                default -> throw RuleException.unsupported("logsource product '" + ls.product() + "': the project collects no such logs");
            };
        }
        Set<EventKind> kinds = null;
        if (ls.category() != null) {
            kinds = CATEGORIES.get(ls.category());
            if (kinds == null) {
                throw RuleException.unsupported("logsource category '" + ls.category() + "': no project document carries it");
            }
        }
        EventClass.Collector collector = null;
        if (ls.service() != null) {
            collector = switch (ls.service()) {
                case "auditd" -> EventClass.Collector.AUDITD;
                case "sysmon" -> EventClass.Collector.SYSMON;
                default -> throw RuleException.unsupported("logsource service '" + ls.service()
                        + "': the project does not collect that log (only kernel audit and Sysmon)");
            };
            if (collector == EventClass.Collector.AUDITD && os == EventClass.Os.WINDOWS) {
                throw RuleException.unsupported("logsource service 'auditd' with product 'windows'");
            }
        }
        if (os == null && kinds == null && collector == null) {
            throw RuleException.unsupported("logsource " + ls + " names nothing the project collects");
        }
        return new Scope(os, kinds, collector);
    }

    boolean accepts(EventClass c) {
        return (os == null || os == c.os())
                && (kinds == null || kinds.contains(c.kind()))
                && (collector == null || collector == c.collector());
    }

    boolean linux() {
        return os == EventClass.Os.LINUX || collector == EventClass.Collector.AUDITD;
    }

    /** The same selection as a filter over ECS fields (host.os.type is set on every stored document). */
    Expr filter() {
        List<Expr> parts = new ArrayList<>();
        if (os != null) parts.add(Expr.test("host.os.type", os.name().toLowerCase(java.util.Locale.ROOT)));
        if (kinds != null) parts.add(Expr.or(kinds.stream().map(EventKind::filter).toList()));
        if (collector == EventClass.Collector.AUDITD) parts.add(new Expr.Present(new EventField.Path("auditd.sequence")));
        if (collector == EventClass.Collector.SYSMON) parts.add(Expr.test("event.module", "sysmon"));
        return Expr.and(parts);
    }
}
