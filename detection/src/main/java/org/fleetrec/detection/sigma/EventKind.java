package org.fleetrec.detection.sigma;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an event is, in Sigma's terms, read from its {@code event.dataset} and
 * {@code event.action}: the one table that says which project documents a Sigma category covers.
 * Audit and Sysmon documents share the project's action vocabulary, so one row serves both.
 */
enum EventKind {
    PROCESS_CREATION("process", "executed"),
    PROCESS_TERMINATION("process", "ended"),
    PROCESS_ACCESS("process", "accessed-process"),
    CREATE_REMOTE_THREAD("process", "created-remote-thread"),
    WMI_EVENT("process", "wmi-filter-registered", "wmi-consumer-registered", "wmi-consumer-bound"),
    PROCESS_TAMPERING("process", "process-tampering"),
    CLIPBOARD_CAPTURE("process", "clipboard-changed"),
    FILE_EVENT("file", "created", "modified"),
    FILE_RENAME("file", "renamed"),
    FILE_DELETE("file", "deleted"),
    FILE_CHANGE("file", "file-creation-time-changed", "attributes-changed"),
    FILE_ACCESS("file", "read"),
    CREATE_STREAM_HASH("file", "created-stream"),
    RAW_ACCESS_THREAD("file", "raw-disk-read"),
    PIPE_CREATED("file", "created-pipe", "connected-pipe"),
    FILE_EXECUTABLE_DETECTED("file", "executable-detected"),
    FILE_BLOCK_EXECUTABLE("file", "blocked-executable"),
    FILE_BLOCK_SHREDDING("file", "blocked-shredding"),
    NETWORK_CONNECTION("network", "connected-to", "accepted-connection-from"),
    DNS_QUERY("dns", "dns-query"),
    REGISTRY_ADD("registry", "created-registry-key", "created-registry-value"),
    REGISTRY_DELETE("registry", "deleted-registry-key", "deleted-registry-value"),
    REGISTRY_SET("registry", "modified-registry-value"),
    REGISTRY_RENAME("registry", "renamed-registry-key"),
    REGISTRY_OTHER("registry", "changed-registry-key"),
    IMAGE_LOAD("library", "loaded-library"),
    DRIVER_LOAD("library", "loaded-driver", "loaded-kernel-module"),
    /** Anything else (auth, agent health, raw audit records, sockets bound...). */
    OTHER(null);

    private static final Map<String, Map<String, EventKind>> BY_DATASET = new HashMap<>();

    static {
        for (EventKind k : values()) {
            if (k.dataset == null) continue;
            for (String a : k.actions) BY_DATASET.computeIfAbsent(k.dataset, d -> new HashMap<>()).put(a, k);
        }
    }

    final String dataset;
    final List<String> actions;

    EventKind(String dataset, String... actions) {
        this.dataset = dataset;
        this.actions = List.of(actions);
    }

    static EventKind of(String dataset, String action) {
        if (dataset == null || action == null) return OTHER;
        Map<String, EventKind> actions = BY_DATASET.get(dataset);
        EventKind k = actions == null ? null : actions.get(action);
        return k == null ? OTHER : k;
    }

    /** The documents of this kind, as a filter over ECS fields (for queries). */
    Expr filter() {
        if (this == OTHER) throw new IllegalStateException("OTHER has no filter");
        Expr f = Expr.and(Expr.test("event.dataset", dataset), Expr.test("event.action", actions.toArray(String[]::new)));
        // A failed exec created no process.
        return this == PROCESS_CREATION ? Expr.and(f, Expr.not(Expr.test("event.outcome", "failure"))) : f;
    }
}
