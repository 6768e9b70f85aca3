package org.fleetrec.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One process tree around a focus process: its ancestors up to the root (one query per level,
 * since each parent names the next), its descendants level by level (one query per level
 * whatever its width), then exits, activity counts and child counts for all nodes at once.
 * One instance per request: it holds the tree as it grows.
 */
final class ProcessTree {
    static final int MAX_ANCESTORS = 200;
    static final int MAX_DESCENDANT_LEVELS = 20;
    static final int MAX_NODES = 2000;
    /** Children of one parent shown before the rest are summarised in one node. */
    static final int FANOUT = 50;
    /** Children fetched by one level query; a very wide level shows fewer per parent instead of flooding the response. */
    static final int MAX_LEVEL_HITS = 4000;
    static final String SUMMARY_PREFIX = "summary:";

    private final ProcessStore store;
    /** Processes in response order: root first, then down the ancestor chain, then descendants level by level. */
    private final Map<String, ProcessFacts> processes = new LinkedHashMap<>();
    private final List<ObjectNode> summaries = new ArrayList<>();
    private final List<String[]> edges = new ArrayList<>();
    private final Map<String, Integer> childrenShown = new HashMap<>();
    /** Processes whose children were not all fetched: their child counts decide has_more_children. */
    private final Set<String> unexpanded = new LinkedHashSet<>();
    private final Set<String> summarised = new HashSet<>();
    private boolean truncated;

    ProcessTree(ProcessStore store) {
        this.store = store;
    }

    /** The tree, or empty when no event at all carries {@code focus}. */
    Optional<ObjectNode> build(String focus, int ancestors, int descendantLevels) throws IOException {
        Optional<ProcessFacts> self = store.process(focus);
        if (self.isEmpty()) return Optional.empty();
        List<ProcessFacts> chain = ancestors(self.get(), ancestors);
        for (int i = chain.size() - 1; i >= 0; i--) processes.put(chain.get(i).entityId(), chain.get(i));
        for (int i = 1; i < chain.size(); i++) {
            edge(chain.get(i).entityId(), chain.get(i - 1).entityId());
            unexpanded.add(chain.get(i).entityId());
        }
        descendants(focus, descendantLevels);

        ProcessStore.NodeFacts facts = store.nodeFacts(processes.keySet(), unexpanded);
        return Optional.of(render(chain.get(chain.size() - 1).entityId(), focus, facts));
    }

    /** The focus, then its parent, grandparent... A parent whose exec is not stored ends the walk as an inferred node. */
    private List<ProcessFacts> ancestors(ProcessFacts focus, int limit) throws IOException {
        List<ProcessFacts> chain = new ArrayList<>(List.of(focus));
        Set<String> seen = new HashSet<>(Set.of(focus.entityId()));
        ProcessFacts current = focus;
        while (current.parentEntityId() != null && !seen.contains(current.parentEntityId())) {
            if (chain.size() > limit) {
                // ancestors=0 asks for no walk at all (expanding a node), which leaves nothing out.
                truncated |= limit > 0;
                break;
            }
            ProcessFacts parent = store.execs(List.of(current.parentEntityId())).get(current.parentEntityId());
            if (parent == null) {
                chain.add(current.inferredParent());
                break;
            }
            chain.add(parent);
            seen.add(parent.entityId());
            current = parent;
        }
        return chain;
    }

    private void descendants(String focus, int levels) throws IOException {
        List<String> frontier = List.of(focus);
        for (int level = 0; level < levels && !frontier.isEmpty(); level++) {
            if (nodeCount() >= MAX_NODES) {
                truncated = true;
                break;
            }
            int perParent = Math.min(FANOUT, Math.max(1, MAX_LEVEL_HITS / frontier.size()));
            Map<String, ProcessStore.Children> children = store.children(frontier, perParent);
            List<String> next = new ArrayList<>();
            for (String parent : frontier) {
                ProcessStore.Children found = children.get(parent);
                if (found != null) addChildren(parent, found, next);
            }
            frontier = next;
        }
        unexpanded.addAll(frontier);
    }

    private void addChildren(String parent, ProcessStore.Children found, List<String> next) {
        for (ProcessFacts child : found.first()) {
            if (nodeCount() >= MAX_NODES) break;
            // An entity seen before is a duplicate snapshot or a loop in bad data, never a second node.
            if (processes.containsKey(child.entityId())) continue;
            processes.put(child.entityId(), child);
            edge(parent, child.entityId());
            next.add(child.entityId());
        }
        long more = found.total() - childrenShown.getOrDefault(parent, 0);
        if (more <= 0) return;
        if (nodeCount() >= MAX_NODES) {
            truncated = true;
            unexpanded.add(parent);
            return;
        }
        ObjectNode summary = EventCodec.mapper().createObjectNode();
        summary.put("summary", true).put("id", SUMMARY_PREFIX + parent).put("parent", parent).put("more", more);
        found.topNames().forEach(summary.putArray("top_names")::add);
        summaries.add(summary);
        summarised.add(parent);
        edges.add(new String[] {parent, SUMMARY_PREFIX + parent});
    }

    private void edge(String parent, String child) {
        edges.add(new String[] {parent, child});
        childrenShown.merge(parent, 1, Integer::sum);
    }

    private int nodeCount() {
        return processes.size() + summaries.size();
    }

    private ObjectNode render(String root, String focus, ProcessStore.NodeFacts facts) {
        ObjectNode body = EventCodec.mapper().createObjectNode();
        body.put("root", root).put("focus", focus);
        ArrayNode nodes = body.putArray("nodes");
        for (ProcessFacts process : processes.values()) {
            nodes.add(node(process, facts));
        }
        // After every process so a page adding nodes in order always has the parent first.
        summaries.forEach(nodes::add);
        ArrayNode edgeArray = body.putArray("edges");
        for (String[] edge : edges) edgeArray.addObject().put("parent", edge[0]).put("child", edge[1]);
        body.put("truncated", truncated);
        return body;
    }

    private ObjectNode node(ProcessFacts process, ProcessStore.NodeFacts facts) {
        ObjectNode node = process.json();
        ProcessStore.ProcessEnd end = facts.ends().get(process.entityId());
        if (end != null) {
            if (end.end() != null) node.put("end", end.end());
            if (end.exitCode() != null) node.put("exit_code", end.exitCode());
        }
        ObjectNode counts = node.putObject("counts");
        Map<String, Long> byDataset = facts.counts().getOrDefault(process.entityId(), Map.of());
        for (Dataset dataset : ProcessStore.COUNTED) counts.put(dataset.id(), byDataset.getOrDefault(dataset.id(), 0L));
        boolean hasMore = unexpanded.contains(process.entityId()) && !summarised.contains(process.entityId())
                && facts.childCounts().getOrDefault(process.entityId(), 0L) > childrenShown.getOrDefault(process.entityId(), 0);
        node.put("has_more_children", hasMore);
        return node;
    }
}
