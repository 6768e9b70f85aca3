package org.fleetrec.agent;

import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

/**
 * The fields every document of this agent carries: sequence, host and agent identity. On Windows a
 * document that names its host already (Sysmon's {@code Computer}, which the event log wrote when the
 * event happened) keeps that name; the agent's own documents get the identity's.
 */
public final class EventStamp {
    public static final String AGENT_VERSION = versionOf();
    static final String LINUX = "linux";
    static final String WINDOWS = "windows";

    private final SequenceAllocator sequences;
    private final HostIdentity host;
    private final String agentId;
    private final String osType;

    EventStamp(SequenceAllocator sequences, HostIdentity host, String agentId, String osType) {
        this.sequences = sequences;
        this.host = host;
        this.agentId = agentId;
        this.osType = osType;
    }

    EventDocument stamp(EventDocument doc) {
        String own = doc.text(Ecs.HOST_NAME);
        String name = WINDOWS.equals(osType) && own != null && !own.isBlank() ? own : host.name();
        return doc.put(Ecs.EVENT_SEQUENCE, sequences.next())
                .put(Ecs.HOST_ID, host.id())
                .put(Ecs.HOST_NAME, name)
                .put("host.boot.id", host.bootId())
                .put("host.os.type", osType)
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
