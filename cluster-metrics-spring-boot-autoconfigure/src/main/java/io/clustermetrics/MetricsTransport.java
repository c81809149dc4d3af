package io.clustermetrics;

/** Carries gossip to another node. Implementations must not block the caller for long. */
@FunctionalInterface
public interface MetricsTransport {

    /**
     * Sends {@code pdu} to {@code targetNode}, best effort.
     *
     * @param targetNode the receiver's address
     * @param pdu the message
     */
    void send(String targetNode, MetricsPdu pdu);

    /**
     * Whether {@code targetNode} is worth a message now; a transport backing off from a failing peer says
     * no, and gossip picks another. By default every node is.
     */
    default boolean isAvailable(String targetNode) {
        return true;
    }
}
