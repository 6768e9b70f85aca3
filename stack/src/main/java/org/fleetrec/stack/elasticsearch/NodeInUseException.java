package org.fleetrec.stack.elasticsearch;

/**
 * Thrown by {@link LocalElasticsearch#start} when the node is already running and the process that started it is
 * still alive (so it is not an orphan of a crashed run). Stop it with {@link LocalElasticsearch#stopRunning} or use
 * another node name.
 */
public final class NodeInUseException extends IllegalStateException {

    private final long pid;
    private final long ownerPid;

    NodeInUseException(String nodeName, long pid, long ownerPid) {
        super("Elasticsearch node '" + nodeName + "' is already running as pid " + pid
                + ", started by process " + ownerPid + " which is still alive");
        this.pid = pid;
        this.ownerPid = ownerPid;
    }

    /** Pid of the running Elasticsearch. */
    public long pid() {
        return pid;
    }

    /** Pid of the live process that started it. */
    public long ownerPid() {
        return ownerPid;
    }
}
