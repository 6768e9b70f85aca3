package org.fleetrec.agent;

import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

/** The fields every document of this agent carries: sequence, host and agent identity. */
final class EventStamp {
    static final String AGENT_VERSION = versionOf();

    private final SequenceAllocator sequences;
    private final HostIdentity host;
    private final String agentId;

    EventStamp(SequenceAllocator sequences, HostIdentity host, String agentId) {
        this.sequences = sequences;
        this.host = host;
        this.agentId = agentId;
    }

    EventDocument stamp(EventDocument doc) {
        return doc.put(Ecs.EVENT_SEQUENCE, sequences.next())
                .put(Ecs.HOST_ID, host.id())
                .put(Ecs.HOST_NAME, host.name())
                .put("host.boot.id", host.bootId())
                .put("host.os.type", "linux")
                .put("host.os.kernel", host.kernel())
                .put(Ecs.AGENT_ID, agentId)
                .put(Ecs.AGENT_VERSION, AGENT_VERSION)
                .put("agent.type", "fleetrec-agent");
    }

    private static String versionOf() {
        String version = EventStamp.class.getPackage().getImplementationVersion();
        return version == null ? "0.1.0-dev" : version;
    }
}
