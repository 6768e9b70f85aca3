package org.fleetrec.detection.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The three things that decide which rules an event meets: the OS it comes from, its kind and
 * the collector that produced it. Read from {@code host.os.type} (else inferred from the
 * collector), {@code event.dataset}/{@code event.action}, {@code auditd.*} and {@code event.module}.
 */
record EventClass(Os os, EventKind kind, Collector collector) {
    enum Os { LINUX, WINDOWS, OTHER }

    /** Kernel audit (has {@code auditd.sequence}), Sysmon ({@code event.module: sysmon}) or anything else. */
    enum Collector { AUDITD, SYSMON, OTHER }

    private static final int KINDS = EventKind.values().length;
    private static final int COLLECTORS = Collector.values().length;
    static final int COUNT = Os.values().length * KINDS * COLLECTORS;

    int index() {
        return index(os, kind, collector);
    }

    /** Every event meets this on its way to the rules: arithmetic only, no record, no enum array copies. */
    private static int index(Os os, EventKind kind, Collector collector) {
        return (os.ordinal() * KINDS + kind.ordinal()) * COLLECTORS + collector.ordinal();
    }

    static EventClass of(int index) {
        int c = index % COLLECTORS;
        int rest = index / COLLECTORS;
        return new EventClass(Os.values()[rest / KINDS], EventKind.values()[rest % KINDS], Collector.values()[c]);
    }

    /** The class index of a document, computed without allocating. */
    static int indexOf(ObjectNode doc) {
        JsonNode event = doc.get("event");
        String dataset = text(event, "dataset");
        String action = text(event, "action");
        EventKind kind = EventKind.of(dataset, action);
        if (kind == EventKind.PROCESS_CREATION && "failure".equals(text(event, "outcome"))) kind = EventKind.OTHER;
        JsonNode auditd = doc.get("auditd");
        Collector collector = auditd != null && auditd.has("sequence") ? Collector.AUDITD
                : "sysmon".equals(text(event, "module")) ? Collector.SYSMON : Collector.OTHER;
        JsonNode host = doc.get("host");
        String type = text(host == null ? null : host.get("os"), "type");
        Os os;
        if ("linux".equals(type)) os = Os.LINUX;
        else if ("windows".equals(type)) os = Os.WINDOWS;
        else if (type != null) os = Os.OTHER;
        else if (collector == Collector.AUDITD) os = Os.LINUX;
        else if (collector == Collector.SYSMON) os = "Linux-Sysmon".equals(text(event, "provider")) ? Os.LINUX : Os.WINDOWS;
        else os = Os.OTHER;
        return index(os, kind, collector);
    }

    private static String text(JsonNode parent, String name) {
        if (parent == null) return null;
        JsonNode n = parent.get(name);
        return n == null || !n.isTextual() ? null : n.textValue();
    }
}
