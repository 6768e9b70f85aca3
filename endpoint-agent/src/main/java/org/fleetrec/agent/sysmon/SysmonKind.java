package org.fleetrec.agent.sysmon;

import org.fleetrec.model.Dataset;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each Sysmon event id lands: dataset, action and ECS categorisation. Categories and types
 * follow the ECS sysmon pipeline, except image loads (7), which use ECS's {@code library/start}
 * like the agent's own library events. Actions use the project's vocabulary, not Sysmon's task
 * names, so the process tree and the network views find Windows and Linux events by the same
 * terms: {@code executed}, {@code ended}, {@code connected-to}, {@code accepted-connection-from},
 * {@code created}, {@code deleted}. Ids 4 (service state), 16 (configuration) and 255 (error)
 * describe Sysmon itself and are not mapped.
 */
record SysmonKind(Dataset dataset, String action, List<String> categories, List<String> types) {
    private static final List<String> REGISTRY = List.of("configuration", "registry");
    private static final List<String> CHANGE = List.of("change");

    private static final Map<Integer, SysmonKind> BY_ID = Map.ofEntries(
            Map.entry(1, of(Dataset.PROCESS, "executed", "process", "start")),
            Map.entry(2, of(Dataset.FILE, "file-creation-time-changed", "file", "change")),
            Map.entry(3, new SysmonKind(Dataset.NETWORK, "connected-to", List.of("network"), List.of("start", "connection", "protocol"))),
            Map.entry(5, of(Dataset.PROCESS, "ended", "process", "end")),
            Map.entry(6, of(Dataset.LIBRARY, "loaded-driver", "driver", "start")),
            Map.entry(7, of(Dataset.LIBRARY, "loaded-library", "library", "start")),
            Map.entry(8, of(Dataset.PROCESS, "created-remote-thread", "process", "change")),
            Map.entry(9, of(Dataset.FILE, "raw-disk-read", "process", "access")),
            Map.entry(10, of(Dataset.PROCESS, "accessed-process", "process", "access")),
            Map.entry(11, of(Dataset.FILE, "created", "file", "creation")),
            Map.entry(12, new SysmonKind(Dataset.REGISTRY, "changed-registry-key", REGISTRY, CHANGE)),
            Map.entry(13, new SysmonKind(Dataset.REGISTRY, "modified-registry-value", REGISTRY, CHANGE)),
            Map.entry(14, new SysmonKind(Dataset.REGISTRY, "renamed-registry-key", REGISTRY, CHANGE)),
            Map.entry(15, of(Dataset.FILE, "created-stream", "file", "access")),
            Map.entry(17, of(Dataset.FILE, "created-pipe", "file", "creation")),
            Map.entry(18, of(Dataset.FILE, "connected-pipe", "file", "access")),
            Map.entry(19, of(Dataset.PROCESS, "wmi-filter-registered", "process", "info")),
            Map.entry(20, of(Dataset.PROCESS, "wmi-consumer-registered", "process", "change")),
            Map.entry(21, of(Dataset.PROCESS, "wmi-consumer-bound", "process", "access")),
            Map.entry(22, new SysmonKind(Dataset.DNS, "dns-query", List.of("network"), List.of("connection", "protocol", "info"))),
            Map.entry(23, of(Dataset.FILE, "deleted", "file", "deletion")),
            Map.entry(24, of(Dataset.PROCESS, "clipboard-changed", "process", "change")),
            Map.entry(25, of(Dataset.PROCESS, "process-tampering", "process", "change")),
            Map.entry(26, of(Dataset.FILE, "deleted", "file", "deletion")),
            Map.entry(27, of(Dataset.FILE, "blocked-executable", "file", "creation")),
            Map.entry(28, of(Dataset.FILE, "blocked-shredding", "file", "deletion")),
            Map.entry(29, of(Dataset.FILE, "executable-detected", "file", "creation")));

    static Optional<SysmonKind> of(int eventId) {
        return Optional.ofNullable(BY_ID.get(eventId));
    }

    static java.util.Set<Integer> mappedIds() {
        return new java.util.TreeSet<>(BY_ID.keySet());
    }

    private static SysmonKind of(Dataset dataset, String action, String category, String type) {
        return new SysmonKind(dataset, action, List.of(category), List.of(type));
    }
}
