package org.fleetrec.stack.elasticsearch;

import java.util.List;

/**
 * How a node joins a cluster of several on this machine: the cluster's name, the transport ports
 * of nodes already running (none for the first, which then bootstraps the cluster as its master),
 * and whether it may be elected master. A node started without one is a cluster of its own.
 */
public record ClusterMembership(String clusterName, List<Integer> seedTransportPorts, boolean masterEligible) {
    public ClusterMembership {
        Layout.checkNodeName(clusterName);
        seedTransportPorts = List.copyOf(seedTransportPorts);
        if (seedTransportPorts.isEmpty() && !masterEligible) {
            throw new IllegalArgumentException("the first node of a cluster must be master-eligible: it bootstraps it");
        }
    }

    /** The first node: it forms the cluster, as its only master-eligible node. */
    public static ClusterMembership first(String clusterName) {
        return new ClusterMembership(clusterName, List.of(), true);
    }

    /** A node that holds data (and replicas) but is never master, joining through {@code seed}'s transport port. */
    public static ClusterMembership dataNode(String clusterName, int seedTransportPort) {
        return new ClusterMembership(clusterName, List.of(seedTransportPort), false);
    }

    boolean bootstraps() {
        return seedTransportPorts.isEmpty();
    }
}
