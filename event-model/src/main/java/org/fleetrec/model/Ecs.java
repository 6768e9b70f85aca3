package org.fleetrec.model;

/** ECS field names every side relies on; one spelling for the whole project. */
public final class Ecs {
    public static final String TIMESTAMP = "@timestamp";
    public static final String EVENT_CATEGORY = "event.category";
    public static final String EVENT_TYPE = "event.type";
    public static final String EVENT_ACTION = "event.action";
    public static final String EVENT_DATASET = "event.dataset";
    public static final String EVENT_SEQUENCE = "event.sequence";
    public static final String EVENT_KIND = "event.kind";
    public static final String EVENT_OUTCOME = "event.outcome";
    public static final String EVENT_INGESTED = "event.ingested";
    public static final String HOST_ID = "host.id";
    public static final String HOST_NAME = "host.name";
    public static final String AGENT_ID = "agent.id";
    public static final String AGENT_VERSION = "agent.version";

    /** Fields without which a document is not accepted anywhere. */
    public static final java.util.List<String> REQUIRED = java.util.List.of(
            TIMESTAMP, EVENT_CATEGORY, EVENT_TYPE, EVENT_ACTION, EVENT_DATASET, EVENT_SEQUENCE,
            HOST_ID, HOST_NAME, AGENT_ID, AGENT_VERSION);

    private Ecs() {
    }
}
