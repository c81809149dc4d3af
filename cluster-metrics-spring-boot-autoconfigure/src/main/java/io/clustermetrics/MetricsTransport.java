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
}
