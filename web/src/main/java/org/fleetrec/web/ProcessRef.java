package org.fleetrec.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** A process as the pages show it; {@code entity_id} is what {@code /process?id=} opens. */
record ProcessRef(@JsonProperty("entity_id") String entityId, String name, String executable,
                  @JsonProperty("command_line") String commandLine) {

    /** From an event source; {@code entityId} and {@code name} when they were group keys already. */
    static ProcessRef of(String entityId, String name, JsonNode source) {
        return new ProcessRef(entityId != null ? entityId : Aggs.text(source, "process.entity_id"),
                name != null ? name : Aggs.text(source, "process.name"),
                Aggs.text(source, "process.executable"), Aggs.text(source, "process.command_line"));
    }
}
