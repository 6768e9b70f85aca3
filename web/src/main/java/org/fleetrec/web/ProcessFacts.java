package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;

import java.util.ArrayList;
import java.util.List;

/**
 * One process as an event describes it: normally its exec event; {@code inferred} when the
 * exec was never stored and the facts come from what another event carries about it.
 */
record ProcessFacts(String entityId, Long pid, String name, String executable, String commandLine, List<String> args,
                    String userId, String userName, String auditUserName, String hostId, String hostName,
                    String start, String parentEntityId, ParentClaim parent, boolean inferred) {

    /** What a process's events say about its parent: enough to draw a parent whose exec is missing. */
    record ParentClaim(Long pid, String name, String executable, String commandLine) {
    }

    /** The exec event fields a node needs; fetching only these keeps wide trees cheap. */
    static final List<String> SOURCE_FIELDS = List.of("@timestamp", "event.action", "process.entity_id", "process.pid",
            "process.name", "process.executable", "process.command_line", "process.args", "process.start",
            "process.parent.entity_id", "process.parent.pid", "process.parent.name", "process.parent.executable",
            "process.parent.command_line", "user.id", "user.name", "user.audit.name", "host.id", "host.name");

    static ProcessFacts fromExec(JsonNode event) {
        return from(event, false);
    }

    /** A process known only from a later event (network, file, exit...) because its exec was not stored. */
    static ProcessFacts inferredFrom(JsonNode event) {
        return from(event, true);
    }

    private static ProcessFacts from(JsonNode event, boolean inferred) {
        JsonNode process = event.path("process");
        JsonNode parent = process.path("parent");
        JsonNode user = event.path("user");
        // A snapshot event is written when the agent starts, long after the process did: its
        // process.start is the truth. An exec event's own time is the exec.
        boolean snapshot = "already-running".equals(event.path("event").path("action").asText());
        String start = snapshot || inferred ? text(process, "start") : null;
        if (start == null && !inferred) start = text(event, "@timestamp");
        return new ProcessFacts(text(process, "entity_id"), number(process, "pid"), text(process, "name"),
                text(process, "executable"), text(process, "command_line"), strings(process.path("args")),
                text(user, "id"), text(user, "name"), text(user.path("audit"), "name"),
                text(event.path("host"), "id"), text(event.path("host"), "name"), start,
                text(parent, "entity_id"),
                new ParentClaim(number(parent, "pid"), text(parent, "name"), text(parent, "executable"),
                        text(parent, "command_line")),
                inferred);
    }

    /** The parent this process names but whose exec is not stored, drawn from what the child carries. */
    ProcessFacts inferredParent() {
        return new ProcessFacts(parentEntityId, parent.pid(), parent.name(), parent.executable(), parent.commandLine(),
                List.of(), null, null, null, hostId, hostName, null, null, new ParentClaim(null, null, null, null), true);
    }

    /** The node fields of the API; absent facts are left out rather than sent as null. */
    ObjectNode json() {
        ObjectNode node = EventCodec.mapper().createObjectNode();
        node.put("entity_id", entityId);
        if (inferred) node.put("inferred", true);
        if (pid != null) node.put("pid", pid);
        putText(node, "name", name);
        putText(node, "executable", executable);
        putText(node, "command_line", commandLine);
        if (!args.isEmpty()) args.forEach(node.putArray("args")::add);
        if (userId != null || userName != null || auditUserName != null) {
            ObjectNode user = node.putObject("user");
            putText(user, "id", userId);
            putText(user, "name", userName);
            if (auditUserName != null) user.putObject("audit").put("name", auditUserName);
        }
        if (hostId != null || hostName != null) {
            ObjectNode host = node.putObject("host");
            putText(host, "id", hostId);
            putText(host, "name", hostName);
        }
        putText(node, "start", start);
        putText(node, "parent_entity_id", parentEntityId);
        return node;
    }

    /** The child's claims about its parent: shown for a root whose parent is outside the listing. */
    void putParentClaim(ObjectNode node) {
        if (parent.pid() == null && parent.name() == null && parent.executable() == null && parent.commandLine() == null) {
            return;
        }
        ObjectNode claim = node.putObject("parent");
        if (parent.pid() != null) claim.put("pid", parent.pid());
        putText(claim, "name", parent.name());
        putText(claim, "executable", parent.executable());
        putText(claim, "command_line", parent.commandLine());
    }

    private static void putText(ObjectNode node, String field, String value) {
        if (value != null) node.put(field, value);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return null;
        if (value.isNumber()) return value.asLong();
        try {
            return Long.parseLong(value.asText());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static List<String> strings(JsonNode values) {
        List<String> list = new ArrayList<>();
        if (values.isArray()) {
            values.forEach(v -> list.add(v.asText()));
        } else if (values.isValueNode() && !values.isNull()) {
            list.add(values.asText());
        }
        return List.copyOf(list);
    }
}
