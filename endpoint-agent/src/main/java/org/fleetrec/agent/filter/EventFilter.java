package org.fleetrec.agent.filter;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.agent.process.ProcessTable;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides, before storage, which documents are kept: one matching an exclude rule is dropped
 * unless it also matches an include rule. Every drop is counted by the rule that caused it,
 * so health shows what filtering costs.
 */
public final class EventFilter {
    private static final int MAX_ANCESTRY = 64;

    private final List<FilterRule> include;
    private final List<FilterRule> exclude;
    private final ProcessTable processes;
    private final Map<String, LongAdder> drops = new ConcurrentHashMap<>();

    public EventFilter(List<FilterRule> include, List<FilterRule> exclude, ProcessTable processes) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        this.processes = processes;
    }

    public static EventFilter none(ProcessTable processes) {
        return new EventFilter(List.of(), List.of(), processes);
    }

    /** {@code {"include": [rule…], "exclude": [rule…]}}; a missing file means no filtering. */
    public static EventFilter load(Path file, ProcessTable processes) throws IOException {
        if (file == null || !Files.exists(file)) return none(processes);
        JsonNode root = EventCodec.mapper().readTree(file.toFile());
        try {
            return new EventFilter(rules(root.path("include")), rules(root.path("exclude")), processes);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static List<FilterRule> rules(JsonNode array) {
        List<FilterRule> rules = new ArrayList<>();
        array.forEach(node -> rules.add(FilterRule.fromJson(node)));
        return rules;
    }

    public boolean keep(EventDocument doc) {
        if (exclude.isEmpty()) return true;
        List<String> ancestors = null;
        for (FilterRule rule : exclude) {
            if (rule.needsAncestors() && ancestors == null) ancestors = ancestors(doc);
            if (rule.matches(doc, ancestors == null ? List.of() : ancestors)) {
                if (ancestors == null) ancestors = ancestors(doc);
                for (FilterRule keep : include) {
                    if (keep.matches(doc, ancestors)) return true;
                }
                drops.computeIfAbsent(rule.toString(), r -> new LongAdder()).increment();
                return false;
            }
        }
        return true;
    }

    public long dropped() {
        return drops.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public Map<String, Long> dropsByRule() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        drops.forEach((rule, n) -> copy.put(rule, n.sum()));
        return copy;
    }

    /** Executables above the event's process, nearest first, from the process table. */
    private List<String> ancestors(EventDocument doc) {
        List<String> executables = new ArrayList<>();
        var parentPid = doc.get("process.parent.pid");
        long pid = parentPid == null ? -1 : parentPid.asLong();
        for (int depth = 0; depth < MAX_ANCESTRY && pid > 0; depth++) {
            Optional<ProcessTable.Entry> entry = processes.get(pid);
            if (entry.isEmpty()) break;
            executables.add(entry.get().executable());
            if (entry.get().ppid() == pid) break;
            pid = entry.get().ppid();
        }
        return executables;
    }
}
